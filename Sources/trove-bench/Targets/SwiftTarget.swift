import Trove

/// The peer workload's target through the `Trove.Cache` Swift API.
final class SwiftTarget: PeerTarget {
    let cache: Cache

    init(options: CacheOptions) throws {
        cache = try Cache(options: options)
    }

    func get(key: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Bool {
        if case .found = try? cache.get(key, into: buffer) { return true }
        return false
    }

    func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        do {
            try cache.put(key, value)
        } catch {
            fatalError("trove-bench: put failed: \(error)")
        }
    }

    var residentCount: Int {
        (try? Int(cache.statistics().items)) ?? 0
    }

    func statistics() throws -> CacheStatistics {
        try cache.statistics()
    }
}
