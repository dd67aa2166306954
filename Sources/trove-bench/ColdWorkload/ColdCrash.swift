import Foundation
import Glibc
// The engine itself, opened with `ColdCommand`'s options (negative zstd levels included) and driven by `ColdPhases`.
import TroveCore

/// The cold workload's crash phase: a child process loads a directory and keeps writing
/// until the parent kills it with SIGKILL; the parent then reopens what was left.
enum ColdCrash {
    /// What the kill left behind.
    struct Crash {
        var killedAfterMilliseconds: Double
        /// Bytes the child had written to disk when its flush returned.
        var flushedBytes: Int
    }

    /// How the values read back after the crash compared with what was written.
    struct Check {
        var hits = 0
        var wrong = 0
    }

    /// Flushed keys are durable once the child prints this word, followed by the bytes it has written to disk.
    static let flushedLine = "flushed"
    /// How long the child keeps writing after its flush before it is killed.
    static let writingAfterFlush = 0.3

    /// The child's side: loads every key, flushes, says so, then overwrites keys until killed,
    /// or until its parent is gone (so an interrupted benchmark leaves no writer behind).
    static func runChild(options: EngineOptions, values: ColdValues, keys: Int, threads: Int) throws -> Never {
        let parent = getppid()
        let engine = try CacheEngine(options: options)
        let phases = ColdPhases(engine: engine, values: values, keys: keys, threads: threads)
        _ = try phases.load()
        guard engine.flush() == .ok else {
            StandardError.writeLine("[cold] crash child: flush failed")
            exit(1)
        }
        print("\(flushedLine) \(engine.statistics()?.cold?.bytesWritten ?? 0)")
        fflush(nil)
        while getppid() == parent {
            _ = try phases.load()
        }
        exit(0)
    }

    /// Starts this program as the crash child with `arguments`, waits for its flush, lets it
    /// write a little longer and kills it with SIGKILL.
    static func killWhileWriting(arguments: [String]) throws -> Crash {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = arguments
        let output = Pipe()
        child.standardOutput = output
        let started = ProcessMetrics.nanoseconds()
        try child.run()
        var seen = ""
        while !seen.contains(flushedLine) || !seen.hasSuffix("\n") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                child.waitUntilExit()
                throw CrashPhaseError("the crash child exited (status \(child.terminationStatus)) before flushing")
            }
            seen += String(decoding: chunk, as: UTF8.self)
        }
        usleep(useconds_t(writingAfterFlush * 1e6))
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let killedAfter = Double(ProcessMetrics.nanoseconds() - started) / 1e6
        let written = seen.split(separator: " ").last.flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return Crash(killedAfterMilliseconds: killedAfter, flushedBytes: written ?? 0)
    }

    /// Reads every `stride`-th key back: each value found must be the one the workload writes.
    static func verify(_ engine: CacheEngine, keys: Int, values: ColdValues, samples: Int = 10_000) -> Check {
        var check = Check()
        var key = [UInt8](repeating: 0, count: 16)
        var found = [UInt8](repeating: 0, count: values.length)
        var expected = [UInt8](repeating: 0, count: values.length)
        for index in stride(from: 0, to: keys, by: max(keys / samples, 1)) {
            let result = key.withUnsafeMutableBytes { key in
                WorkloadKeys.writeKey(UInt64(index), to: key.baseAddress!)
                return found.withUnsafeMutableBytes { engine.get(key: UnsafeRawBufferPointer(key), into: $0) }
            }
            guard result.status == .ok else { continue }
            check.hits += 1
            expected.withUnsafeMutableBytes { values.write(UInt64(index), into: $0) }
            if result.length != values.length || found != expected { check.wrong += 1 }
        }
        return check
    }
}

/// The crash phase could not run.
struct CrashPhaseError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
