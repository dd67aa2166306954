import CTroveABI
import TroveCore

/// Runs `body` with the engine behind `handle`, or returns the error for a NULL or closed handle.
@inline(__always)
func withEngine(_ handle: OpaquePointer?, _ function: StaticString, _ body: (CacheEngine) -> Int32) -> Int32 {
    guard let handle else { return LastError.fail(.invalidArgument, "\(function): the handle is NULL") }
    guard let engine = HandleRegistry.engine(handle) else {
        return LastError.fail(.closed, "\(function): the handle is closed")
    }
    return engine._withUnsafeGuaranteedRef { engine in
        guard !engine.isInheritedThroughFork else {
            return LastError.fail(
                .closed,
                "\(function): this cache was opened before fork(), and its threads stayed in the parent; "
                    + "open a cache of the child's own (trove_close of this one frees nothing here)"
            )
        }
        return body(engine)
    }
}

/// A caller's buffer as a Swift buffer, or the status for an impossible one.
///
/// A NULL pointer with a non-zero length is `TROVE_EINVAL`; a length beyond the address
/// space (a negative number cast to `size_t`, say) is `TROVE_ETOOBIG`, like any too-long key or value.
@inline(__always)
func bytes(_ pointer: UnsafeRawPointer?, _ length: UInt) -> CallerBytes {
    guard length <= UInt(Int.max) else { return .failure(.tooBig) }
    if pointer == nil && length > 0 { return .failure(.invalidArgument) }
    return .success(UnsafeRawBufferPointer(start: pointer, count: Int(length)))
}

/// A caller's key or value: usable bytes, or the status that rejects them.
enum CallerBytes {
    case success(UnsafeRawBufferPointer)
    case failure(TroveStatus)
}

/// Records a message for errors (not for `TROVE_OK` or `TROVE_NOT_FOUND`) and returns the code.
@inline(__always)
func report(_ status: TroveStatus, _ function: StaticString) -> Int32 {
    if status.isError { return reportFailure(status, function) }
    return status.rawValue
}

@inline(never)
func reportFailure(_ status: TroveStatus, _ function: StaticString) -> Int32 {
    LastError.fail(status, "\(function): \(status.message)")
}

@_cdecl("trove_put")
public func trove_put(
    _ handle: OpaquePointer?,
    _ key: UnsafeRawPointer?,
    _ keyLength: UInt,
    _ value: UnsafeRawPointer?,
    _ valueLength: UInt,
    _ ttlMilliseconds: UInt64
) -> Int32 {
    withEngine(handle, "trove_put") { engine in
        switch (bytes(key, keyLength), bytes(value, valueLength)) {
        case (.success(let keyBytes), .success(let valueBytes)):
            return report(engine.put(key: keyBytes, value: valueBytes, ttlMilliseconds: ttlMilliseconds), "trove_put")
        case (.failure(let status), _), (_, .failure(let status)):
            return report(status, "trove_put")
        }
    }
}

@_cdecl("trove_get")
public func trove_get(
    _ handle: OpaquePointer?,
    _ key: UnsafeRawPointer?,
    _ keyLength: UInt,
    _ buffer: UnsafeMutableRawPointer?,
    _ bufferCapacity: UInt,
    _ valueLength: UnsafeMutablePointer<UInt>?
) -> Int32 {
    withEngine(handle, "trove_get") { engine in
        guard let valueLength else { return LastError.fail(.invalidArgument, "trove_get: value_len is NULL") }
        let keyBytes: UnsafeRawBufferPointer
        switch bytes(key, keyLength) {
        case .success(let valid): keyBytes = valid
        case .failure(let status): return report(status, "trove_get")
        }
        guard buffer != nil || bufferCapacity == 0 else {
            return LastError.fail(.invalidArgument, "trove_get: buf is NULL with a non-zero buf_cap")
        }
        // A capacity beyond the address space cannot be real; clamping it only bounds what we may write.
        let destination = UnsafeMutableRawBufferPointer(start: buffer, count: Int(clamping: bufferCapacity))
        let result = engine.get(key: keyBytes, into: destination)
        valueLength.pointee = UInt(result.length)
        return report(result.status, "trove_get")
    }
}

@_cdecl("trove_delete")
public func trove_delete(_ handle: OpaquePointer?, _ key: UnsafeRawPointer?, _ keyLength: UInt) -> Int32 {
    withEngine(handle, "trove_delete") { engine in
        switch bytes(key, keyLength) {
        case .success(let keyBytes): return report(engine.delete(key: keyBytes), "trove_delete")
        case .failure(let status): return report(status, "trove_delete")
        }
    }
}

@_cdecl("trove_contains")
public func trove_contains(_ handle: OpaquePointer?, _ key: UnsafeRawPointer?, _ keyLength: UInt) -> Int32 {
    withEngine(handle, "trove_contains") { engine in
        switch bytes(key, keyLength) {
        case .success(let keyBytes): return report(engine.contains(key: keyBytes), "trove_contains")
        case .failure(let status): return report(status, "trove_contains")
        }
    }
}

@_cdecl("trove_clear")
public func trove_clear(_ handle: OpaquePointer?) -> Int32 {
    withEngine(handle, "trove_clear") { engine in report(engine.removeAll(), "trove_clear") }
}

@_cdecl("trove_flush")
public func trove_flush(_ handle: OpaquePointer?) -> Int32 {
    withEngine(handle, "trove_flush") { engine in report(engine.flush(), "trove_flush") }
}
