import ArgumentParser
import Glibc
import Trove

/// Writes `CrashWorkload` into a cache with a disk tier, flushing periodically, for a
/// test that kills it with SIGKILL and checks what survives.
struct CrashWriterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-writer",
        abstract: "Write a deterministic workload with periodic flushes until killed (for crash tests).",
        discussion: """
            Prints "flushed N" on stdout after each flush covering the first N operations, and \
            "done" at the end, then waits to be killed.
            """,
        shouldDisplay: false
    )

    @Option(help: "The cache's disk directory.")
    var path: String

    @Option(help: "Operations to perform.")
    var operations = 40_000

    @Option(help: "Operations between flushes.")
    var flushEvery = 2000

    func run() throws {
        var options = CacheOptions(capacityBytes: 2 << 20)
        // A policy that sends every victim to disk (named, not left to the default), so that
        // every key written before a flush must survive it; the adaptive policy may drop
        // victims it predicts are not read again.
        options.policy = .s3fifo
        options.directory = path
        options.diskCapacityBytes = 256 << 20
        let cache = try Cache(options: options)
        for index in 0..<operations {
            switch CrashWorkload.operation(index) {
            case .put(let id):
                try cache.put(CrashWorkload.key(id), CrashWorkload.value(key: id, index: index))
            case .delete(let id):
                try cache.delete(CrashWorkload.key(id))
            }
            if (index + 1) % flushEvery == 0 {
                try cache.flush()
                print("flushed \(index + 1)")
                fflush(nil)
            }
        }
        print("done")
        fflush(nil)
        while true {
            pause()
        }
    }
}
