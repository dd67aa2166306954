/// Writing the entries the cold tier does not hold to it, for flush and close.
extension Stripe {
    /// Writes every entry not yet stored in the cold tier to it, and marks them stored.
    ///
    /// Expired entries are skipped. The caller holds the mutex.
    ///
    /// - Returns: Whether every entry was stored (false once the cold tier is out of service).
    func persistEntries(to coldStore: any ColdStore) -> Bool {
        let now = WallClock.nowMilliseconds()
        return forEachLiveEntry { entry in
            guard !entry.header.isPersisted, entry.header.expiry == 0 || entry.header.expiry > now else { return true }
            let key = entry.header.key(at: entry.address)
            let value = entry.header.value(at: entry.address)
            guard coldStore.persist(key: key, value: value, expiry: entry.header.expiry, hash: KeyHash.hash(key)) else {
                return false
            }
            EntryLayout.markPersisted(at: entry.address)
            return true
        }
    }
}
