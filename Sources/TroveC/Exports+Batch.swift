import CTroveABI
import TroveCore

#if canImport(Glibc)
import Glibc
#endif

@_cdecl("trove_get_many")
public func trove_get_many(
    _ handle: OpaquePointer?,
    _ count: UInt,
    _ keys: UnsafePointer<UnsafeRawPointer?>?,
    _ keyLengths: UnsafePointer<UInt>?,
    _ buffers: UnsafePointer<UnsafeMutableRawPointer?>?,
    _ bufferCapacities: UnsafePointer<UInt>?,
    _ valueLengths: UnsafeMutablePointer<UInt>?,
    _ statuses: UnsafeMutablePointer<Int32>?
) -> Int32 {
    withEngine(handle, "trove_get_many") { engine in
        guard count > 0 else { return TroveStatus.ok.rawValue }
        guard count <= UInt(Int32.max), let keys, let keyLengths, let buffers, let bufferCapacities,
            let valueLengths, let statuses
        else {
            return LastError.fail(.invalidArgument, "trove_get_many: an array is NULL or count is too large")
        }
        let total = Int(count)
        var keyBuffers: [UnsafeRawBufferPointer] = []
        var valueBuffers: [UnsafeMutableRawBufferPointer] = []
        keyBuffers.reserveCapacity(total)
        valueBuffers.reserveCapacity(total)
        var rejected: [Int: TroveStatus] = [:]
        for index in 0..<total {
            switch bytes(keys[index], keyLengths[index]) {
            case .success(let key): keyBuffers.append(key)
            case .failure(let status):
                rejected[index] = status
                keyBuffers.append(UnsafeRawBufferPointer(start: nil, count: 0))
            }
            if buffers[index] == nil && bufferCapacities[index] > 0 { rejected[index] = .invalidArgument }
            valueBuffers.append(
                UnsafeMutableRawBufferPointer(start: buffers[index], count: Int(clamping: bufferCapacities[index]))
            )
        }
        let results = [CacheEngine.ReadResult](unsafeUninitializedCapacity: total) { results, initialized in
            keyBuffers.withUnsafeBufferPointer { keyBuffers in
                valueBuffers.withUnsafeBufferPointer { engine.getMany(keys: keyBuffers, buffers: $0, results: results) }
            }
            initialized = total
        }
        for index in 0..<total {
            let result = results[index]
            let status = rejected[index] ?? result.status
            statuses[index] = status.rawValue
            valueLengths[index] = rejected[index] == nil ? UInt(result.length) : 0
            if status == .closed { return report(.closed, "trove_get_many") }
        }
        return TroveStatus.ok.rawValue
    }
}

@_cdecl("trove_invalidate_prefix")
public func trove_invalidate_prefix(
    _ handle: OpaquePointer?,
    _ prefix: UnsafeRawPointer?,
    _ prefixLength: UInt,
    _ removed: UnsafeMutablePointer<UInt64>?
) -> Int32 {
    withEngine(handle, "trove_invalidate_prefix") { engine in
        switch bytes(prefix, prefixLength) {
        case .success(let prefixBytes):
            let (status, count) = engine.invalidate(prefix: prefixBytes)
            removed?.pointee = UInt64(count)
            return report(status, "trove_invalidate_prefix")
        case .failure(let status):
            return report(status, "trove_invalidate_prefix")
        }
    }
}

@_cdecl("trove_invalidate_glob")
public func trove_invalidate_glob(
    _ handle: OpaquePointer?,
    _ pattern: UnsafePointer<CChar>?,
    _ removed: UnsafeMutablePointer<UInt64>?
) -> Int32 {
    withEngine(handle, "trove_invalidate_glob") { engine in
        guard let pattern else { return LastError.fail(.invalidArgument, "trove_invalidate_glob: pattern is NULL") }
        let compiled: KeyPattern
        do throws(EngineError) {
            compiled = try KeyPattern(UnsafeRawBufferPointer(start: pattern, count: strlen(pattern)))
        } catch {
            return LastError.fail(error.status, "trove_invalidate_glob: \(error.message)")
        }
        let (status, count) = engine.invalidate(matching: compiled)
        removed?.pointee = UInt64(count)
        return report(status, "trove_invalidate_glob")
    }
}

@_cdecl("trove_metrics_text")
public func trove_metrics_text(
    _ handle: OpaquePointer?,
    _ buffer: UnsafeMutablePointer<CChar>?,
    _ capacity: UInt,
    _ textLength: UnsafeMutablePointer<UInt>?
) -> Int32 {
    withEngine(handle, "trove_metrics_text") { engine in
        guard let textLength else { return LastError.fail(.invalidArgument, "trove_metrics_text: text_len is NULL") }
        guard buffer != nil || capacity == 0 else {
            return LastError.fail(.invalidArgument, "trove_metrics_text: buf is NULL with a non-zero buf_cap")
        }
        guard let stats = engine.statistics() else { return report(.closed, "trove_metrics_text") }
        var text = MetricsText.render(stats)
        return text.withUTF8 { utf8 in
            textLength.pointee = UInt(utf8.count)
            guard let buffer, UInt(utf8.count) < capacity else { return report(.bufferTooSmall, "trove_metrics_text") }
            UnsafeMutableRawPointer(buffer).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            buffer[utf8.count] = 0
            return TroveStatus.ok.rawValue
        }
    }
}

@_cdecl("trove_put_many")
public func trove_put_many(
    _ handle: OpaquePointer?,
    _ count: UInt,
    _ keys: UnsafePointer<UnsafeRawPointer?>?,
    _ keyLengths: UnsafePointer<UInt>?,
    _ values: UnsafePointer<UnsafeRawPointer?>?,
    _ valueLengths: UnsafePointer<UInt>?,
    _ ttlMilliseconds: UInt64,
    _ statuses: UnsafeMutablePointer<Int32>?
) -> Int32 {
    withEngine(handle, "trove_put_many") { engine in
        guard count > 0 else { return TroveStatus.ok.rawValue }
        guard count <= UInt(Int32.max), let keys, let keyLengths, let values, let valueLengths, let statuses else {
            return LastError.fail(.invalidArgument, "trove_put_many: an array is NULL or count is too large")
        }
        let entries = CallerEntries(
            count: Int(count),
            keys: keys,
            keyLengths: keyLengths,
            values: values,
            valueLengths: valueLengths
        )
        return entries.run(statuses: statuses, "trove_put_many") { keys, values, results in
            engine.putMany(keys: keys, values: values, ttlMilliseconds: ttlMilliseconds, statuses: results)
        }
    }
}

@_cdecl("trove_delete_many")
public func trove_delete_many(
    _ handle: OpaquePointer?,
    _ count: UInt,
    _ keys: UnsafePointer<UnsafeRawPointer?>?,
    _ keyLengths: UnsafePointer<UInt>?,
    _ statuses: UnsafeMutablePointer<Int32>?
) -> Int32 {
    withEngine(handle, "trove_delete_many") { engine in
        guard count > 0 else { return TroveStatus.ok.rawValue }
        guard count <= UInt(Int32.max), let keys, let keyLengths, let statuses else {
            return LastError.fail(.invalidArgument, "trove_delete_many: an array is NULL or count is too large")
        }
        let entries = CallerEntries(count: Int(count), keys: keys, keyLengths: keyLengths)
        return entries.run(statuses: statuses, "trove_delete_many") { keys, _, results in
            engine.deleteMany(keys: keys, statuses: results)
        }
    }
}
