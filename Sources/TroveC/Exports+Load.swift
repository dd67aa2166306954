import CTroveABI
import Synchronization
import TroveCore

/// What a C loader hands back through `trove_load_set`; the `trove_load_t *` a loader gets
/// is the address of one of these, valid while the loader runs.
///
/// `@unchecked Sendable`: only `trove_load_set` writes it, while the loader runs (on its
/// thread or one it waits for), and the caller reads it after the loader has returned.
final class CLoadRequest: @unchecked Sendable {
    var value: [UInt8]?
    var timeToLiveMilliseconds: UInt64 = 0
    var refreshMilliseconds: UInt64 = 0
    var tags: [[UInt8]] = []
    /// The key's length and the engine's segment size: an entry must fit one segment.
    let keyLength: Int
    let segmentSize: Int

    init(keyLength: Int, segmentSize: Int) {
        self.keyLength = keyLength
        self.segmentSize = segmentSize
    }

    /// Whether the cache can hold `valueLength` bytes under this key with this time to live.
    func fits(valueLength: Int, timeToLiveMilliseconds: UInt64) -> Bool {
        valueLength < EntryLayout.valueLengthLimit
            && EntryLayout.totalLength(
                keyLength: keyLength,
                valueLength: valueLength,
                hasExpiry: timeToLiveMilliseconds != 0
            ) <= segmentSize
    }
}

/// The loads whose loaders are running now, by address, so that `trove_load_set` only ever
/// dereferences a pointer it handed out and still owns: a stale or made-up pointer is refused.
enum ActiveLoadRequests {
    private static let active = Mutex<[UInt: CLoadRequest]>([:])

    /// Runs `body` with a new request's opaque address, registered for the call's duration.
    static func withRequest<Result>(
        keyLength: Int,
        segmentSize: Int,
        _ body: (OpaquePointer, CLoadRequest) throws -> Result
    ) rethrows -> Result {
        let request = CLoadRequest(keyLength: keyLength, segmentSize: segmentSize)
        // The object's address: unique while the table holds it, and never dereferenced from C's copy.
        let address = UInt(bitPattern: Unmanaged.passUnretained(request).toOpaque())
        active.withLock { $0[address] = request }
        defer { _ = active.withLock { $0.removeValue(forKey: address) } }
        return try body(OpaquePointer(bitPattern: address)!, request)
    }

    /// The request at `pointer`, if a loader is running with it now.
    static func request(at pointer: OpaquePointer) -> CLoadRequest? {
        active.withLock { $0[UInt(bitPattern: pointer)] }
    }
}

/// A C loader's non-zero return, as the error every waiter gets.
struct CLoaderFailure: Error, CustomStringConvertible {
    var code: Int32
    /// Keep "the loader returned N": the Python binding reads N back from `trove_last_error`
    /// to hand every waiter the exception its loader raised.
    var description: String { "the loader returned \(code); nothing was cached, and the next call loads again" }
}

/// A C loader and its user data, called for a miss and, for a value loaded with a refresh
/// interval, again later from the engine's refresh thread.
///
/// `@unchecked Sendable`: the pointers are the caller's; `trove_load_set` documents that a
/// value loaded with `refresh_ms` has its loader and user data called again, from a
/// thread of the library's own, until `trove_close`.
struct CLoader: @unchecked Sendable {
    let function: trove_loader_fn
    let userData: UnsafeMutableRawPointer?
    let segmentSize: Int

    /// Calls the loader for `key`: the value it set (with its time to live and refresh
    /// interval), `.absent` if it set none, or `CLoaderFailure` if it returned non-zero.
    func load(_ key: UnsafeRawBufferPointer) throws -> LoadedValue {
        try ActiveLoadRequests.withRequest(keyLength: key.count, segmentSize: segmentSize) { load, request in
            let code = function(userData, key.baseAddress, key.count, load)
            guard code == 0 else { throw CLoaderFailure(code: code) }
            guard let value = request.value else { return LoadedValue.absent }
            return .value(
                value,
                timeToLiveMilliseconds: request.timeToLiveMilliseconds,
                refreshMilliseconds: request.refreshMilliseconds,
                tags: request.tags
            )
        }
    }
}

@_cdecl("trove_load_set")
public func trove_load_set(
    _ load: OpaquePointer?,
    _ value: UnsafeRawPointer?,
    _ valueLength: UInt,
    _ ttlMilliseconds: UInt64,
    _ refreshMilliseconds: UInt64
) -> Int32 {
    guard let load, let request = ActiveLoadRequests.request(at: load) else {
        return LastError.fail(.invalidArgument, "trove_load_set: load is NULL or not a load whose loader is running")
    }
    guard refreshMilliseconds == 0 || ttlMilliseconds == 0 || refreshMilliseconds < ttlMilliseconds else {
        return LastError.fail(
            .invalidArgument,
            "trove_load_set: refresh_ms (\(refreshMilliseconds)) must be shorter than ttl_ms (\(ttlMilliseconds)), "
                + "or 0 for no refresh-ahead"
        )
    }
    switch bytes(value, valueLength) {
    case .failure(let status):
        return report(status, "trove_load_set")
    case .success(let valueBytes):
        guard request.fits(valueLength: valueBytes.count, timeToLiveMilliseconds: ttlMilliseconds) else {
            return LastError.fail(
                .tooBig,
                "trove_load_set: a value of \(valueBytes.count) bytes does not fit an arena segment "
                    + "(\(request.segmentSize) bytes with the key and header); nothing was set"
            )
        }
        request.value = Array(valueBytes)
        request.timeToLiveMilliseconds = ttlMilliseconds
        request.refreshMilliseconds = refreshMilliseconds
        return TroveStatus.ok.rawValue
    }
}

@_cdecl("trove_get_or_load")
public func trove_get_or_load(
    _ handle: OpaquePointer?,
    _ key: UnsafeRawPointer?,
    _ keyLength: UInt,
    _ loader: trove_loader_fn?,
    _ userData: UnsafeMutableRawPointer?,
    _ buffer: UnsafeMutableRawPointer?,
    _ bufferCapacity: UInt,
    _ valueLength: UnsafeMutablePointer<UInt>?
) -> Int32 {
    withEngine(handle, "trove_get_or_load") { engine in
        guard let loader else { return LastError.fail(.invalidArgument, "trove_get_or_load: loader is NULL") }
        guard let valueLength else {
            return LastError.fail(.invalidArgument, "trove_get_or_load: value_len is NULL")
        }
        let keyBytes: UnsafeRawBufferPointer
        switch bytes(key, keyLength) {
        case .success(let valid): keyBytes = valid
        case .failure(let status): return report(status, "trove_get_or_load")
        }
        guard buffer != nil || bufferCapacity == 0 else {
            return LastError.fail(.invalidArgument, "trove_get_or_load: buf is NULL with a non-zero buf_cap")
        }
        let destination = UnsafeMutableRawBufferPointer(start: buffer, count: Int(clamping: bufferCapacity))
        let cLoader = CLoader(function: loader, userData: userData, segmentSize: engine.segmentSize)
        let result = engine.getOrLoad(key: keyBytes, into: destination) { try cLoader.load($0) }
        if result.status == .ok, engine.claimRefresh(key: keyBytes) {
            engine.refreshInBackground(key: Array(keyBytes)) { [key = Array(keyBytes)] in
                try key.withUnsafeBytes(cLoader.load)
            }
        }
        valueLength.pointee = UInt(result.length)
        if let error = result.error {
            return LastError.fail(result.status, "trove_get_or_load: \(error)")
        }
        return report(result.status, "trove_get_or_load")
    }
}
