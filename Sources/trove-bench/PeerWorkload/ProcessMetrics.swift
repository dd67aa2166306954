import Glibc

/// The clock and the process readings of the peer workload, read the way the C reference reads them.
///
/// `nanoseconds()` is the monotonic clock used on the measured path; the others read `/proc` and are called a few
/// times per phase. A reading that fails yields 0, as in the C peers, so a missing `/proc` degrades the memory and
/// CPU fields instead of aborting a run.
enum ProcessMetrics {
    /// Samples in the timer-overhead measurement; odd, so the median is one sample.
    static let timerOverheadSamples = 1001

    /// Returns `CLOCK_MONOTONIC` in nanoseconds.
    ///
    /// - Complexity: one vDSO call, no allocation; it runs on the measured path.
    @inline(__always)
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(truncatingIfNeeded: now.tv_sec) &* 1_000_000_000 &+ UInt64(truncatingIfNeeded: now.tv_nsec)
    }

    /// Returns the median cost, in nanoseconds, of two back-to-back `nanoseconds()` calls over
    /// `timerOverheadSamples` pairs: the amount subtracted from every latency sample.
    static func timerOverheadNanoseconds() -> UInt64 {
        var samples = [UInt64](repeating: 0, count: timerOverheadSamples)
        for i in samples.indices {
            let start = nanoseconds()
            let end = nanoseconds()
            samples[i] = end &- start
        }
        samples.sort()
        return samples[timerOverheadSamples / 2]
    }

    /// Returns the resident set size in bytes: resident pages from `/proc/self/statm` times the page size, or 0
    /// when the file cannot be read.
    static func residentBytes() -> UInt64 {
        guard let statm = readProcFile("/proc/self/statm") else {
            return 0
        }
        let fields = statm.split(whereSeparator: \.isWhitespace)
        guard fields.count >= 2, let pages = UInt64(fields[1]) else {
            return 0
        }
        return pages &* UInt64(max(sysconf(Int32(_SC_PAGESIZE)), 0))
    }

    /// Returns the peak resident set size in bytes since the process started or since the last
    /// `resetPeakResident()` (`VmHWM` in `/proc/self/status`), or 0 when it cannot be read.
    static func peakResidentBytes() -> UInt64 {
        guard let status = readProcFile("/proc/self/status"),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else {
            return 0
        }
        let fields = line.split(whereSeparator: \.isWhitespace)
        guard fields.count >= 2, let kibibytes = UInt64(fields[1]) else { return 0 }
        return kibibytes &* 1024
    }

    /// Resets the peak resident set size to the current one (writing 5 to `/proc/self/clear_refs`);
    /// does nothing where the kernel does not allow it, leaving the peak since the process started.
    static func resetPeakResident() {
        let descriptor = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = write(descriptor, "5", 1)
    }

    /// Returns the CPU time of the whole process (user + system, all threads) in seconds from `/proc/self/stat`,
    /// or 0 when the file cannot be read.
    ///
    /// The precision is one clock tick (usually 10 ms).
    static func cpuSeconds() -> Double {
        guard let stat = readProcFile("/proc/self/stat"), let closingParenthesis = stat.lastIndex(of: ")") else {
            return 0
        }
        // The command name may contain spaces, so fields are counted from the last ')': the state is field 0
        // after it, utime field 11 and stime field 12.
        let fields = stat[stat.index(after: closingParenthesis)...].split(whereSeparator: \.isWhitespace)
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else {
            return 0
        }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticksPerSecond > 0 ? Double(user &+ system) / ticksPerSecond : 0
    }

    /// Reads a small `/proc` file whole, retrying reads interrupted by signals; nil if it cannot be opened or read.
    static func readProcFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            return nil
        }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR {
                    continue
                }
                return nil
            }
            if count == 0 {
                return String(decoding: contents, as: UTF8.self)
            }
            contents.append(contentsOf: chunk[..<count])
        }
    }
}
