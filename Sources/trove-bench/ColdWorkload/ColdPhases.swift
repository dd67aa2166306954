import Glibc
import Synchronization
// The engine itself: batched gets into the caller's buffers (`getMany`), which the public API does not offer.
import TroveCore

/// The timed phases of the cold workload, run by worker threads against one engine.
///
/// Keys are the peers' `key:%012d`; key `i`'s value is `ColdValues.write(i)`. Workers
/// build keys and values in buffers of their own, so the loops allocate nothing.
struct ColdPhases: Sendable {
    let engine: CacheEngine
    let values: ColdValues
    let keys: Int
    let threads: Int

    /// What the mixed phase counted.
    struct Mixed {
        var operations = 0
        var reads = 0
        var hits = 0
        var seconds = 0.0
        var latencies = LatencyHistogram()
    }

    /// Inserts every key once, the threads taking interleaved slices.
    ///
    /// - Returns: The wall-clock seconds taken.
    func load() throws -> Double {
        let started = ProcessMetrics.nanoseconds()
        try runWorkers { thread, _ in
            var key = [UInt8](repeating: 0, count: 16)
            var value = [UInt8](repeating: 0, count: values.length)
            for index in stride(from: thread, to: keys, by: threads) {
                put(UInt64(index), key: &key, value: &value)
            }
        }
        return Double(ProcessMetrics.nanoseconds() - started) / 1e9
    }

    /// Zipfian gets (a miss followed by a put of the value, as a cache-aside reader does)
    /// and puts, for `seconds`.
    func mixed(theta: Double, readRatio: Int, seconds: Double, seed: UInt64) throws -> Mixed {
        let zipf = ZipfianGenerator(itemCount: UInt64(keys), theta: theta)
        let stop = Atomic<Bool>(false)
        let results = try runWorkers(stop: stop, seconds: seconds) { thread, stop -> Mixed in
            var random = SplitMix64(state: seed &+ UInt64(thread))
            var key = [UInt8](repeating: 0, count: 16)
            var value = [UInt8](repeating: 0, count: values.length)
            var outcome = Mixed()
            let started = ProcessMetrics.nanoseconds()
            while !stop.load(ordering: .relaxed) {
                for _ in 0..<64 {
                    let index = (zipf.rank(random.nextDouble()) &* 2_654_435_761) % UInt64(keys)
                    let isRead = Int(random.next() % 100) < readRatio
                    let sampled = outcome.operations & 15 == 0
                    let before = sampled ? ProcessMetrics.nanoseconds() : 0
                    if isRead {
                        outcome.reads += 1
                        if get(index, key: &key, into: &value) {
                            outcome.hits += 1
                        } else {
                            put(index, key: &key, value: &value)
                        }
                    } else {
                        put(index, key: &key, value: &value)
                    }
                    if sampled { outcome.latencies.record(ProcessMetrics.nanoseconds() - before) }
                    outcome.operations += 1
                }
            }
            outcome.seconds = Double(ProcessMetrics.nanoseconds() - started) / 1e9
            return outcome
        }
        var total = Mixed()
        for result in results {
            total.operations += result.operations
            total.reads += result.reads
            total.hits += result.hits
            total.seconds = max(total.seconds, result.seconds)
            total.latencies.merge(result.latencies)
        }
        return total
    }

    /// Batched gets of uniformly random keys for `seconds`: nearly all are answered from
    /// disk, so this measures the cold tier's random-read rate.
    ///
    /// - Returns: Keys asked for, and the seconds taken.
    func batchedReads(batch: Int, seconds: Double, seed: UInt64) throws -> (keys: Int, seconds: Double) {
        let stop = Atomic<Bool>(false)
        let results = try runWorkers(stop: stop, seconds: seconds) { thread, stop -> (Int, Double) in
            var random = SplitMix64(state: seed &+ UInt64(thread) &* 7919)
            let keyBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * batch, alignment: 8)
            let valueBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: values.length * batch, alignment: 8)
            defer {
                keyBytes.deallocate()
                valueBytes.deallocate()
            }
            let keyBuffers = (0..<batch).map { UnsafeRawBufferPointer(rebasing: keyBytes[$0 * 16..<($0 + 1) * 16]) }
            let valueBuffers = (0..<batch).map {
                UnsafeMutableRawBufferPointer(rebasing: valueBytes[$0 * values.length..<($0 + 1) * values.length])
            }
            var results = [CacheEngine.ReadResult](repeating: .init(status: .ok, length: 0), count: batch)
            var asked = 0
            let started = ProcessMetrics.nanoseconds()
            while !stop.load(ordering: .relaxed) {
                for slot in 0..<batch {
                    WorkloadKeys.writeKey(random.next() % UInt64(keys), to: keyBytes.baseAddress! + slot * 16)
                }
                keyBuffers.withUnsafeBufferPointer { keyBuffers in
                    valueBuffers.withUnsafeBufferPointer { valueBuffers in
                        results.withUnsafeMutableBufferPointer {
                            engine.getMany(keys: keyBuffers, buffers: valueBuffers, results: $0)
                        }
                    }
                }
                asked += batch
            }
            return (asked, Double(ProcessMetrics.nanoseconds() - started) / 1e9)
        }
        return (results.reduce(0) { $0 + $1.0 }, results.map(\.1).max() ?? 0)
    }

    @inline(__always)
    private func put(_ index: UInt64, key: inout [UInt8], value: inout [UInt8]) {
        key.withUnsafeMutableBytes { key in
            WorkloadKeys.writeKey(index, to: key.baseAddress!)
            value.withUnsafeMutableBytes { value in
                values.write(index, into: value)
                let status = engine.put(key: UnsafeRawBufferPointer(key), value: UnsafeRawBufferPointer(value))
                precondition(status == .ok, "trove-bench cold: put failed with \(status.message)")
            }
        }
    }

    @inline(__always)
    private func get(_ index: UInt64, key: inout [UInt8], into value: inout [UInt8]) -> Bool {
        key.withUnsafeMutableBytes { key in
            WorkloadKeys.writeKey(index, to: key.baseAddress!)
            return value.withUnsafeMutableBytes { engine.get(key: UnsafeRawBufferPointer(key), into: $0).status == .ok }
        }
    }

    private func runWorkers(_ body: @escaping @Sendable (Int, borrowing Atomic<Bool>) -> Void) throws {
        let stop = Atomic<Bool>(false)
        _ = try runWorkers(stop: stop, seconds: nil) { thread, stop in body(thread, stop) }
    }

    /// Runs `body` on `threads` threads; after `seconds` (if given) sets `stop`; returns their results.
    private func runWorkers<Result: Sendable>(
        stop: borrowing Atomic<Bool>,
        seconds: Double?,
        _ body: @escaping @Sendable (Int, borrowing Atomic<Bool>) -> Result
    ) throws -> [Result] {
        try withUnsafePointer(to: stop) { stop in
            let flag = UnsafeSendablePointer(stop)
            let workers = try (0..<threads).map { thread in
                try WorkerThread { body(thread, flag.pointer.pointee) }
            }
            if let seconds {
                var interval = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
                var remaining = timespec()
                while nanosleep(&interval, &remaining) != 0 && errno == EINTR {
                    interval = remaining
                }
                stop.pointee.store(true, ordering: .relaxed)
            }
            return workers.map { $0.join() }
        }
    }
}

/// A pointer to a value that outlives every thread that uses it (the phase joins them before returning).
private struct UnsafeSendablePointer<Value: ~Copyable>: @unchecked Sendable {
    let pointer: UnsafePointer<Value>

    init(_ pointer: UnsafePointer<Value>) {
        self.pointer = pointer
    }
}
