import Synchronization
import Trove

/// The repository's use of a Trove `Cache`: cache-aside reads through its single-flight
/// loaders, invalidations after writes, and a rule for failures: a cache that fails
/// degrades to the database and never answers wrongly.
///
/// - A read the cache cannot serve (closed, failing, or holding bytes that no longer
///   decode) is answered by the database; the loader's own (database) error goes to the
///   caller, and is not cached.
/// - An invalidation that fails may leave a stale entry, so the whole cache is emptied; if
///   that fails too, the cache is bypassed from then on (`isBypassed`): a stale answer is
///   worse than a slow one.
final class RepositoryCache: Sendable {
    private struct Counters {
        var errors = 0
        var bypassed = false
    }

    let cache: Cache?
    private let codec = JSONCacheCodec()
    private let counters = Mutex(Counters())

    /// Uses `cache`, or none.
    init(_ cache: Cache?) {
        self.cache = cache
    }

    /// Cache operations that failed and were answered without the cache.
    var errors: Int { counters.withLock { $0.errors } }

    /// Whether reads and writes skip the cache after an invalidation failed.
    var isBypassed: Bool { counters.withLock { $0.bypassed } }

    /// The value `query` finds, from the cache or, on a miss, `load` (once however many
    /// callers miss together), cached for the query's time to live with its tags.
    ///
    /// - Throws: What `load` throws; never a cache error.
    func value<Value>(_ query: RepositoryQuery<Value>, load: () throws -> Value?) throws -> Value? {
        guard let cache = usableCache else { return try load() }
        let bytes: [UInt8]?
        do {
            bytes = try cache.value(forKey: query.key, timeToLive: query.timeToLive, tags: query.tags) {
                try LoaderFailure.wrapping { try load().map(codec.encode) }
            }
        } catch let failure as LoaderFailure {
            throw failure.underlying
        } catch {
            failed()
            return try load()
        }
        guard let bytes else { return nil }
        return try decodedOrDropped(bytes, query) ?? load()
    }

    /// The async form: a miss suspends while another caller's load of the key runs.
    ///
    /// - Throws: What `load` throws; never a cache error.
    func value<Value>(_ query: RepositoryQuery<Value>, load: () async throws -> Value?) async throws -> Value? {
        guard let cache = usableCache else { return try await load() }
        let bytes: [UInt8]?
        do {
            bytes = try await cache.value(
                forKey: query.key,
                timeToLive: query.timeToLive,
                tags: query.tags
            ) { () async throws -> [UInt8]? in
                try await LoaderFailure.wrappingAsync { try await load().map(codec.encode) }
            }
        } catch let failure as LoaderFailure {
            throw failure.underlying
        } catch {
            failed()
            return try await load()
        }
        guard let bytes else { return nil }
        if let value = decodedOrDropped(bytes, query) { return value }
        return try await load()
    }

    /// `bytes` decoded, or `nil` (the entry dropped, the failure counted) for bytes that no
    /// longer decode: a value written by an older version of the type.
    private func decodedOrDropped<Value>(_ bytes: [UInt8], _ query: RepositoryQuery<Value>) -> Value? {
        if let value = try? codec.decode(Value.self, from: bytes) { return value }
        failed(undecodable: query.key)
        return nil
    }

    /// Removes what a committed write made stale: every entry carrying one of `tags`,
    /// every key matching one of `patterns`, and `keys`.
    func invalidate(tags: [String] = [], patterns: [String] = [], keys: [String] = []) {
        guard let cache = usableCache else { return }
        do {
            for tag in tags { try cache.invalidate(tag: tag) }
            for pattern in patterns { try cache.invalidate(matching: pattern) }
            for key in keys { try cache.delete(key) }
        } catch {
            counters.withLock { $0.errors += 1 }
            do {
                try cache.removeAll()
            } catch {
                counters.withLock { $0.bypassed = true }
            }
        }
    }

    private var usableCache: Cache? {
        isBypassed ? nil : cache
    }

    private func failed(undecodable key: String? = nil) {
        counters.withLock { $0.errors += 1 }
        if let key { _ = try? cache?.delete(key) }
    }
}

/// A loader's own error, carried through the cache so that it is told apart from the
/// cache's errors (which the repository answers from the database instead).
private struct LoaderFailure: Error {
    let underlying: any Error

    static func wrapping<Result>(_ body: () throws -> Result) throws -> Result {
        do { return try body() } catch { throw LoaderFailure(underlying: error) }
    }

    static func wrappingAsync<Result>(_ body: () async throws -> Result) async throws -> Result {
        do { return try await body() } catch { throw LoaderFailure(underlying: error) }
    }
}
