import Glibc

/// Human-readable progress and reports, written to stderr so stdout carries only JSON lines.
enum StandardError {
    /// Writes one line unbuffered, so lines interleave with stdout in the order they happen; a failed
    /// write drops the line rather than the run.
    static func writeLine(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else {
                return
            }
            var written = 0
            while written < buffer.count {
                let count = write(STDERR_FILENO, base + written, buffer.count - written)
                if count > 0 {
                    written += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
