import TroveCore

/// Array-based calls on the engine, for tests.
extension CacheEngine {
    package func put(_ key: [UInt8], _ value: [UInt8], ttlMilliseconds: UInt64 = 0) -> TroveStatus {
        key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in put(key: keyBytes, value: valueBytes, ttlMilliseconds: ttlMilliseconds) }
        }
    }

    package func put(_ key: String, _ value: String, ttlMilliseconds: UInt64 = 0) -> TroveStatus {
        put(Array(key.utf8), Array(value.utf8), ttlMilliseconds: ttlMilliseconds)
    }

    /// The value, or `nil` on a miss; fails the caller's expectations on any other status by returning nil too.
    package func get(_ key: [UInt8]) -> [UInt8]? {
        var capacity = 64
        while true {
            var result = ReadResult(status: .notFound, length: 0)
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                result = key.withUnsafeBytes { get(key: $0, into: UnsafeMutableRawBufferPointer(buffer)) }
                count = result.status == .ok ? result.length : 0
            }
            switch result.status {
            case .ok: return bytes
            case .bufferTooSmall: capacity = result.length
            default: return nil
            }
        }
    }

    package func get(_ key: String) -> String? {
        get(Array(key.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    package func delete(_ key: [UInt8]) -> TroveStatus {
        key.withUnsafeBytes { delete(key: $0) }
    }

    package func delete(_ key: String) -> TroveStatus {
        delete(Array(key.utf8))
    }

    package func contains(_ key: [UInt8]) -> Bool {
        key.withUnsafeBytes { contains(key: $0) } == .ok
    }

    package func contains(_ key: String) -> Bool {
        contains(Array(key.utf8))
    }

    /// Opens an engine for a test, failing loudly on bad options.
    package static func make(
        capacityBytes: UInt64 = 8 << 20,
        maximumItems: UInt64 = 0,
        stripes: UInt32 = 4,
        policy: PolicyKind = .s3fifo
    ) throws -> CacheEngine {
        var options = EngineOptions()
        options.capacityBytes = capacityBytes
        options.maximumItems = maximumItems
        options.stripes = stripes
        options.policy = policy
        return try CacheEngine(options: options)
    }
}

/// The 8-byte little-endian key for an integer id, as tests use throughout.
package func key(_ id: UInt64) -> [UInt8] {
    withUnsafeBytes(of: id.littleEndian) { Array($0) }
}
