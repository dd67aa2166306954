import TroveCore

/// Array-based calls on the engine, for tests.
extension CacheEngine {
    package func put(_ key: [UInt8], _ value: [UInt8], ttlMilliseconds: UInt64 = 0) -> TroveStatus {
        key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                put(key: keyBytes, value: valueBytes, ttlMilliseconds: ttlMilliseconds)
            }
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

    /// `getMany` over arrays: each key's result and value (empty unless the result is `.ok`),
    /// every value read into a buffer of `bufferSize` bytes.
    package func getMany(_ keys: [[UInt8]], bufferSize: Int) -> [(result: ReadResult, value: [UInt8])] {
        let keyOffsets = keys.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        let keyBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(keyOffsets.last!, 1), alignment: 8)
        let valueBytes = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(bufferSize * keys.count, 1),
            alignment: 8
        )
        defer {
            keyBytes.deallocate()
            valueBytes.deallocate()
        }
        for (index, key) in keys.enumerated() {
            let destination = keyBytes.baseAddress!.advanced(by: keyOffsets[index])
            key.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
        let keyBuffers = keys.indices.map {
            UnsafeRawBufferPointer(rebasing: keyBytes[keyOffsets[$0]..<keyOffsets[$0 + 1]])
        }
        let valueBuffers = keys.indices.map {
            UnsafeMutableRawBufferPointer(rebasing: valueBytes[$0 * bufferSize..<($0 + 1) * bufferSize])
        }
        var results = [ReadResult](repeating: .init(status: .ok, length: 0), count: keys.count)
        keyBuffers.withUnsafeBufferPointer { keyBuffers in
            valueBuffers.withUnsafeBufferPointer { valueBuffers in
                results.withUnsafeMutableBufferPointer { getMany(keys: keyBuffers, buffers: valueBuffers, results: $0) }
            }
        }
        return results.enumerated().map { index, result in
            guard result.status == .ok else { return (result, []) }
            return (result, Array(UnsafeRawBufferPointer(rebasing: valueBuffers[index][..<result.length])))
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
