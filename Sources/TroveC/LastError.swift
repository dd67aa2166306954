import TroveCore

#if canImport(Glibc)
import Glibc
#endif

/// The calling thread's last error message, for `trove_last_error`.
///
/// Kept per thread (a pthread key) so concurrent callers never see each other's
/// messages; each thread's copy is freed when the thread exits.
enum LastError {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in free(pointer) }
        return key
    }()

    /// Records `message` as the calling thread's last error.
    static func set(_ message: String) {
        let copy = strdup(message)
        if let previous = pthread_getspecific(key) { free(previous) }
        pthread_setspecific(key, copy)
    }

    /// Records the message for `status` and returns its code, for `return LastError.fail(...)`.
    static func fail(_ status: TroveStatus, _ detail: String? = nil) -> Int32 {
        set(detail ?? status.message)
        return status.rawValue
    }

    /// The calling thread's last message, or an empty string.
    static var current: UnsafePointer<CChar> {
        if let message = pthread_getspecific(key) {
            // Safe because `set` stores only NUL-terminated `CChar` buffers under this key.
            return UnsafePointer(message.assumingMemoryBound(to: CChar.self))
        }
        return empty
    }

    /// Never mutated after its one-time initialization.
    nonisolated(unsafe) private static let empty: UnsafePointer<CChar> = {
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        storage.initialize(to: 0)
        return UnsafePointer(storage)
    }()
}
