import ArgumentParser
import CTroveABI
import Trove

#if canImport(Glibc)
import Glibc
#endif

/// Read-through loading through the C ABI: single flight under a stampede, and what
/// `trove_get_or_load` costs on a hit next to `trove_get`.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Measure trove_get_or_load: single flight under a stampede, and its cost on a hit.",
        discussion: """
            Stampede: --threads threads each ask for the same --keys cold keys in the same order, through \
            trove_get_or_load with a loader that sleeps --loader-micros µs; single flight means exactly one \
            loader call per key. Hits: --hit-keys cached keys (16-byte keys, 100-byte values) are read \
            --rounds times by trove_get and by trove_get_or_load, interleaved, on one thread. Prints JSON \
            lines on stdout and a table on stderr; exits with status 1 if loader calls differ from keys.
            """
    )

    @Option(help: "Threads in the stampede.")
    var threads = 2

    @Option(help: "Distinct cold keys, each requested by every thread.")
    var keys = 10_000

    @Option(help: "How long the loader sleeps, in microseconds.")
    var loaderMicros: UInt32 = 100

    @Option(help: "Cached keys for the hit measurement.")
    var hitKeys = 100_000

    @Option(help: "Rounds of the hit measurement (each reads every key once per API).")
    var rounds = 7

    func validate() throws {
        guard (1...64).contains(threads), keys >= 1, hitKeys >= 1, rounds >= 1 else {
            throw ValidationError("need --threads in 1...64, and --keys, --hit-keys and --rounds of at least 1")
        }
    }

    func run() throws {
        let calls = try stampede()
        let (getNanoseconds, loadNanoseconds) = try hitCost()
        let ratio = loadNanoseconds / getNanoseconds
        print(
            #"{"measure":"stampede","threads":\#(threads),"keys":\#(keys),"loader_micros":\#(loaderMicros),"#
                + #""loader_calls":\#(calls)}"#
        )
        print(
            #"{"measure":"hit_cost","keys":\#(hitKeys),"rounds":\#(rounds),"#
                + #""get_ns":\#(getNanoseconds),"get_or_load_ns":\#(loadNanoseconds),"ratio":\#(ratio)}"#
        )
        var table = "| measure | figure |\n|---|---|"
        table += "\n| stampede: loader calls for \(keys) keys x \(threads) threads | \(calls) |"
        table += "\n| trove_get on a hit, median ns | \(String(format: "%.1f", getNanoseconds)) |"
        table += "\n| trove_get_or_load on a hit, median ns | \(String(format: "%.1f", loadNanoseconds)) |"
        table += "\n| ratio | \(String(format: "%.3f", ratio)) |"
        StandardError.writeLine(table)
        if calls != keys { throw ExitCode(1) }
    }

    /// What the stampede's loader sees: the sleep and a call count.
    final class LoaderState: @unchecked Sendable {
        let micros: UInt32
        var calls = 0
        var lock = pthread_mutex_t()
        init(micros: UInt32) {
            self.micros = micros
            pthread_mutex_init(&lock, nil)
        }
    }

    private func stampede() throws -> Int {
        let handle = try LoadCommand.open(capacityBytes: 64 << 20)
        defer { _ = trove_close(handle) }
        let state = LoaderState(micros: loaderMicros)
        let loader: trove_loader_fn = { userData, key, keyLength, load in
            let state = Unmanaged<LoaderState>.fromOpaque(userData!).takeUnretainedValue()
            pthread_mutex_lock(&state.lock)
            state.calls += 1
            pthread_mutex_unlock(&state.lock)
            usleep(state.micros)
            return trove_load_set(load, key, keyLength, 0, 0)
        }
        let keyCount = keys
        // An address, which is Sendable, rather than the pointer.
        let userData = UInt(bitPattern: Unmanaged.passUnretained(state).toOpaque())
        let handleBits = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(handle)))
        let workers = try (0..<threads).map { _ in
            try WorkerThread { () -> Int in
                let handle = OpaquePointer(bitPattern: handleBits)
                var buffer = [UInt8](repeating: 0, count: 64)
                var length = 0
                var failures = 0
                for index in 0..<keyCount {
                    let key = Array("cold:\(index)".utf8)
                    let status = trove_get_or_load(
                        handle,
                        key,
                        key.count,
                        loader,
                        UnsafeMutableRawPointer(bitPattern: userData),
                        &buffer,
                        buffer.count,
                        &length
                    )
                    if status != TROVE_OK || length != key.count { failures += 1 }
                }
                return failures
            }
        }
        let failures = workers.reduce(0) { $0 + $1.join() }
        guard failures == 0 else {
            throw ValidationError("\(failures) trove_get_or_load calls did not return the loaded key")
        }
        return state.calls
    }

    private func hitCost() throws -> (Double, Double) {
        let handle = try LoadCommand.open(capacityBytes: 256 << 20)
        defer { _ = trove_close(handle) }
        let keys = (0..<hitKeys).map { index in Array(String(format: "key:%012d", index).utf8) }
        let value = [UInt8](repeating: 7, count: 100)
        for key in keys { _ = trove_put(handle, key, key.count, value, value.count, 0) }
        let neverCalled: trove_loader_fn = { _, _, _, _ in 1 }
        var buffer = [UInt8](repeating: 0, count: 128)
        var length = 0
        var getTimes: [Double] = []
        var loadTimes: [Double] = []
        for _ in 0..<rounds {
            var start = LoadCommand.now()
            for key in keys { _ = trove_get(handle, key, key.count, &buffer, buffer.count, &length) }
            getTimes.append(Double(LoadCommand.now() - start) / Double(keys.count))
            start = LoadCommand.now()
            for key in keys {
                _ = trove_get_or_load(handle, key, key.count, neverCalled, nil, &buffer, buffer.count, &length)
            }
            loadTimes.append(Double(LoadCommand.now() - start) / Double(keys.count))
        }
        return (getTimes.sorted()[rounds / 2], loadTimes.sorted()[rounds / 2])
    }

    private static func open(capacityBytes: UInt64) throws -> OpaquePointer {
        var options = trove_options_t()
        trove_options_init(&options)
        options.capacity_bytes = capacityBytes
        var handle: OpaquePointer?
        guard trove_open(&options, &handle) == TROVE_OK, let handle else {
            throw ValidationError("trove_open failed: \(String(cString: trove_last_error()))")
        }
        return handle
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
