/// Keys a loader recently found absent, so that `getOrLoad` answers "not found" for them
/// without calling the loader again until `timeToLiveMilliseconds` pass (negative caching).
///
/// Bounded: at most `limit` keys, the oldest forgotten first. Writes and invalidations of a
/// key forget it. Memory: the key's bytes plus about 80 bytes per key (a dictionary entry
/// and a queue slot), outside the hot tier's budget; the limit keeps it to a small share.
final class AbsentKeys: @unchecked Sendable {
    let timeToLiveMilliseconds: UInt64
    let limit: Int
    private let state = ConditionLockedValue(State())

    private struct State {
        /// Each absent key and when it stops counting as absent.
        var expiries: [[UInt8]: UInt64] = [:]
        /// Keys in the order they were remembered, for forgetting the oldest; may hold keys
        /// already forgotten (skipped when reached).
        var order: [[UInt8]] = []
        var orderHead = 0
    }

    init(timeToLiveMilliseconds: UInt64, limit: Int) {
        self.timeToLiveMilliseconds = timeToLiveMilliseconds
        self.limit = max(limit, 1)
    }

    /// Keys remembered now (some may have expired).
    var count: Int { state.withLock { $0.expiries.count } }

    func remember(_ key: UnsafeRawBufferPointer) {
        let bytes = Array(key)
        let expiry = WallClock.expiry(afterMilliseconds: timeToLiveMilliseconds)
        state.withLock { state in
            if state.expiries.updateValue(expiry, forKey: bytes) == nil { state.order.append(bytes) }
            while state.expiries.count > limit, state.orderHead < state.order.count {
                state.expiries[state.order[state.orderHead]] = nil
                state.orderHead += 1
            }
            // Compact the queue once its dead front outweighs the rest.
            if state.orderHead > 64 && state.orderHead * 2 > state.order.count {
                state.order.removeFirst(state.orderHead)
                state.orderHead = 0
                state.order.removeAll { state.expiries[$0] == nil }
            }
        }
    }

    func contains(_ key: UnsafeRawBufferPointer) -> Bool {
        let now = WallClock.nowMilliseconds()
        return state.withLock { state in
            guard !state.expiries.isEmpty, let expiry = state.expiries[Array(key)] else { return false }
            if expiry > now { return true }
            state.expiries[Array(key)] = nil
            return false
        }
    }

    func forget(_ key: UnsafeRawBufferPointer) {
        state.withLock { state in
            guard !state.expiries.isEmpty else { return }
            state.expiries[Array(key)] = nil
        }
    }

    func forget(where matches: (UnsafeRawBufferPointer) -> Bool) {
        state.withLock { state in
            for key in state.expiries.keys where key.withUnsafeBytes(matches) {
                state.expiries[key] = nil
            }
        }
    }
}
