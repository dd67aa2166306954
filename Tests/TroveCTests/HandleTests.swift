import CTroveABI
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The C handle table: handles are tokens, not pointers, so stale and made-up handles are refused.
/// Calls go through the C declarations of include/trove.h (CTroveABI); TroveC, linked in, defines them.
@Suite struct HandleTests {
    private func open() throws -> OpaquePointer {
        var options = trove_options_t()
        trove_options_init(&options)
        options.capacity_bytes = 1 << 20
        var handle: OpaquePointer?
        try #require(trove_open(&options, &handle) == TROVE_OK)
        return try #require(handle)
    }

    /// More open/close cycles than the table has slots: slots are reused, and an old handle
    /// never reaches the cache that reused its slot.
    @Test func slotsAreReusedWithoutReviving() throws {
        let first = try open()
        #expect(trove_put(first, "k", 1, "first", 5, 0) == TROVE_OK)
        #expect(trove_close(first) == TROVE_OK)
        var previous = first
        for _ in 0..<5000 {
            let handle = try open()
            #expect(handle != previous)
            #expect(trove_contains(previous, "k", 1) == TROVE_ECLOSED)
            #expect(trove_close(handle) == TROVE_OK)
            previous = handle
        }
        #expect(trove_put(first, "k", 1, "v", 1, 0) == TROVE_ECLOSED)
    }

    @Test func lastErrorIsPerThreadAndExplains() throws {
        var options = trove_options_t()
        trove_options_init(&options)
        options.stripes = 5
        var handle: OpaquePointer?
        #expect(trove_open(&options, &handle) == TROVE_EINVAL)
        #expect(handle == nil)
        let message = String(cString: trove_last_error())
        #expect(message.contains("stripes 5"))
        var thread = pthread_t()
        var other: UnsafeMutableRawPointer?
        #expect(pthread_create(&thread, nil, { _ in UnsafeMutableRawPointer(mutating: trove_last_error()) }, nil) == 0)
        pthread_join(thread, &other)
        let seen = other.map { String(cString: $0.assumingMemoryBound(to: CChar.self)) }
        #expect(seen == "", "another thread sees \(seen ?? "nil") instead of its own (empty) last error")
    }

    @Test func strerrorNamesEveryCode() {
        #expect(String(cString: trove_strerror(Int32(TROVE_EBUFSIZE))).hasPrefix("TROVE_EBUFSIZE"))
        #expect(String(cString: trove_strerror(-99)) == "unknown trove status code")
    }
}
