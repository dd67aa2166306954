import Glibc

/// What the process holds from the kernel: open descriptors, memory mappings, threads and
/// resident memory, read from `/proc/self` the way one would check a process by hand.
///
/// A reading that fails yields 0 for that field, so a missing `/proc` shows as no change
/// rather than aborting a run.
struct ProcessResources {
    /// Entries of `/proc/self/fd`, not counting the one the count itself opens.
    var descriptors = 0
    /// Lines of `/proc/self/maps`.
    var mappings = 0
    /// `Threads:` of `/proc/self/status`.
    var threads = 0
    /// `VmRSS:` of `/proc/self/status`, in bytes.
    var residentBytes = 0

    /// The process's holdings now.
    ///
    /// - Complexity: O(descriptors + mappings): one directory listing and two file reads.
    static func current() -> ProcessResources {
        var resources = ProcessResources()
        resources.descriptors = countDescriptors()
        resources.mappings = ProcessMetrics.readProcFile("/proc/self/maps").map { $0.utf8.count { $0 == 0x0A } } ?? 0
        if let status = ProcessMetrics.readProcFile("/proc/self/status") {
            resources.threads = field("Threads:", in: status)
            resources.residentBytes = field("VmRSS:", in: status) * 1024
        }
        return resources
    }

    /// What `self` holds beyond `baseline`, field by field (negative where it holds less).
    func growth(since baseline: ProcessResources) -> ProcessResources {
        ProcessResources(
            descriptors: descriptors - baseline.descriptors,
            mappings: mappings - baseline.mappings,
            threads: threads - baseline.threads,
            residentBytes: residentBytes - baseline.residentBytes
        )
    }

    private static func countDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != 0x2E { count += 1 }  // not "." or ".."
        }
        return max(count - 1, 0)
    }

    /// The first number after `name` on its line of a `/proc/self/status` text, or 0.
    private static func field(_ name: String, in status: String) -> Int {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        let fields = line.split(whereSeparator: \.isWhitespace)
        return fields.count >= 2 ? Int(fields[1]) ?? 0 : 0
    }
}
