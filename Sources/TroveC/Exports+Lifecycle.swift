import CTroveABI
import TroveCore

/// Fills `opts` with defaults and sets its size. Does nothing for NULL.
@_cdecl("trove_options_init")
public func trove_options_init(_ opts: UnsafeMutablePointer<trove_options_t>?) {
    guard let opts else { return }
    OptionsDecoding.writeDefaults(opts)
}

/// Opens a cache; see trove.h.
@_cdecl("trove_open")
public func trove_open(_ opts: UnsafePointer<trove_options_t>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guard let out else { return LastError.fail(.invalidArgument, "trove_open: out is NULL") }
    out.pointee = nil
    var options = EngineOptions()
    if let opts {
        switch OptionsDecoding.decode(opts) {
        case .success(let decoded): options = decoded
        case .failure(let error): return LastError.fail(error.status, "trove_open: \(error.message)")
        }
    }
    let engine: CacheEngine
    do {
        engine = try CacheEngine(options: options)
    } catch {
        return LastError.fail(error.status, "trove_open: \(error.message)")
    }
    guard let handle = HandleRegistry.register(engine) else {
        _ = engine.close()
        return LastError.fail(
            .outOfMemory,
            "trove_open: \(HandleRegistry.capacity) caches are already open; close one first"
        )
    }
    out.pointee = handle
    return TroveStatus.ok.rawValue
}

/// Closes a cache; see trove.h.
@_cdecl("trove_close")
public func trove_close(_ handle: OpaquePointer?) -> Int32 {
    guard let handle else { return LastError.fail(.invalidArgument, "trove_close: the handle is NULL") }
    guard let engine = HandleRegistry.unregister(handle) else {
        return LastError.fail(.closed, "trove_close: the handle is already closed (or was never opened)")
    }
    return report(engine._withUnsafeGuaranteedRef { $0.close() }, "trove_close")
}

/// The library version, major << 16 | minor << 8 | patch.
@_cdecl("trove_version")
public func trove_version() -> UInt32 {
    UInt32(TROVE_VERSION_MAJOR) << 16 | UInt32(TROVE_VERSION_MINOR) << 8 | UInt32(TROVE_VERSION_PATCH)
}

/// A static name and explanation for a status code.
@_cdecl("trove_strerror")
public func trove_strerror(_ code: Int32) -> UnsafePointer<CChar> {
    StatusNames.name(of: code)
}

/// The calling thread's last error message.
@_cdecl("trove_last_error")
public func trove_last_error() -> UnsafePointer<CChar> {
    LastError.current
}
