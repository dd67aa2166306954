import CTroveABI
import Testing
import TroveTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `trove_close` gives back what `trove_open` took, although the handle table keeps every
/// closed engine's shell until its slot is reused: a disk cache's region file, directory
/// lock and nine io_uring rings are closed at once, so a process that opens and closes
/// caches all day does not run into its descriptor limit (1,024 by default).
@Suite struct CloseReleasesTests {
    /// Descriptors the process may gain for good: none is expected; the slack covers other
    /// suites running in this process meanwhile, which open their own caches.
    private static let allowedGrowth = 16

    @Test func closingDiskCachesGivesBackTheirDescriptors() throws {
        let directory = try TemporaryDirectory(prefix: "trove-close")
        let before = CloseReleasesTests.openDescriptors()
        for cycle in 0..<50 {
            let handle = try open(directory: directory.path)
            let value = "value \(cycle)"
            #expect(trove_put(handle, "key", 3, value, value.utf8.count, 0) == TROVE_OK)
            #expect(trove_close(handle) == TROVE_OK)
        }
        // A leak stays (ten descriptors a cycle before the fix); other suites' caches come and go.
        var growth = CloseReleasesTests.openDescriptors() - before
        for _ in 0..<50 where growth > CloseReleasesTests.allowedGrowth {
            usleep(100_000)
            growth = CloseReleasesTests.openDescriptors() - before
        }
        #expect(growth <= CloseReleasesTests.allowedGrowth, "50 open/close cycles left \(growth) more descriptors open")
    }

    private func open(directory: String) throws -> OpaquePointer {
        var options = trove_options_t()
        trove_options_init(&options)
        options.capacity_bytes = 1 << 20
        options.disk_capacity_bytes = 32 << 20
        var handle: OpaquePointer?
        let status = directory.withCString { path in
            options.path = path
            return trove_open(&options, &handle)
        }
        try #require(status == TROVE_OK, "trove_open: \(String(cString: trove_last_error()))")
        return try #require(handle)
    }

    /// Entries of /proc/self/fd, counting the one the listing itself opens.
    private static func openDescriptors() -> Int {
        guard let listing = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(listing) }
        var count = 0
        while readdir(listing) != nil { count += 1 }
        return count
    }
}
