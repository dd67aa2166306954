/// What one worker did in one phase.
struct WorkerTally: Sendable {
    /// Operations completed; a read miss and the put that follows it count as one.
    var operations = 0
    /// Operations that were reads.
    var reads = 0
    /// Reads that hit.
    var hits = 0
    /// Time from the start flag to the worker's last stop check.
    var elapsedNanoseconds: UInt64 = 0
    /// A sum of the first byte of every value read, kept so that no read can be optimized away.
    var checksum: UInt64 = 0
}

/// One worker thread's part of a phase: it replays its op stream against the target until told to stop.
///
/// Everything the loop touches is prepared before the start flag (the key and value buffers, the histogram) and
/// reached through buffer pointers, so an operation costs the target call, building the 16-byte key and, for every
/// 64th operation, two clock reads.
struct PeerWorker<Target: PeerTarget>: Sendable {
    /// Operations between two publications of progress and two checks of the stop flag.
    static var operationsPerCheck: Int { 256 }
    /// One operation in this many is timed.
    static var sampleInterval: Int { 64 }
    /// Bytes of slack past the value in the read buffer, so the checksum can read byte 0 even for empty values.
    static var readBufferSlack: Int { 64 }

    /// The cache under test, shared with the other workers.
    let target: Target
    /// This worker's operations.
    let stream: OpStream
    /// The shared value pattern (see `WorkloadKeys.valuePattern(valueSize:)`).
    let valuePattern: [UInt8]
    /// Bytes per value.
    let valueSize: Int
    /// The clock-pair overhead subtracted from every latency sample.
    let timerOverheadNanoseconds: UInt64
    /// The phase's shared flags and progress counters.
    let signals: PhaseSignals
    /// This worker's index among the phase's workers.
    let workerIndex: Int

    /// Waits for the start flag, runs until the stop flag, and reports what it did and the latencies of every 64th
    /// operation, timer overhead subtracted.
    ///
    /// - Complexity: allocates the histogram (and, for large values, the read buffer) before the start flag and
    ///   nothing after it.
    func run() -> (tally: WorkerTally, latencies: LatencyHistogram) {
        var tally = WorkerTally()
        var latencies = LatencyHistogram()
        stream.entries.withUnsafeBufferPointer { entries in
            valuePattern.withUnsafeBytes { pattern in
                latencies.withUnsafeMutableCounts { latencyCounts in
                    withUnsafeTemporaryAllocation(byteCount: WorkloadKeys.keyLength, alignment: 8) { key in
                        withUnsafeTemporaryAllocation(
                            byteCount: valueSize + PeerWorker.readBufferSlack,
                            alignment: 16
                        ) { readBuffer in
                            replay(
                                entries: entries,
                                pattern: pattern,
                                key: key,
                                readBuffer: readBuffer,
                                latencyCounts: latencyCounts,
                                tally: &tally
                            )
                        }
                    }
                }
            }
        }
        return (tally, latencies)
    }

    /// The measured loop.
    @inline(__always)
    private func replay(
        entries: UnsafeBufferPointer<UInt32>,
        pattern: UnsafeRawBufferPointer,
        key: UnsafeMutableRawBufferPointer,
        readBuffer: UnsafeMutableRawBufferPointer,
        latencyCounts: UnsafeMutableBufferPointer<UInt64>,
        tally: inout WorkerTally
    ) {
        // Safe because the key buffer holds 16 bytes, the read buffer `valueSize` plus slack, the pattern
        // `valueSize + 26`, and `entries` a power-of-two count that the cursor mask keeps it inside.
        assert(key.count >= WorkloadKeys.keyLength && readBuffer.count > valueSize)
        assert(pattern.count >= valueSize + WorkloadKeys.patternPeriod && entries.count == OpStream.length)
        guard let keyBase = key.baseAddress, let readBase = readBuffer.baseAddress,
            let patternBase = pattern.baseAddress
        else {
            return
        }
        let keyBytes = UnsafeRawBufferPointer(start: keyBase, count: WorkloadKeys.keyLength)
        let valueOut = UnsafeMutableRawBufferPointer(start: readBase, count: valueSize)
        let cursorMask = OpStream.length - 1
        let sampleMask = PeerWorker.sampleInterval - 1
        let timerOverhead = timerOverheadNanoseconds
        var operations = 0
        var reads = 0
        var hits = 0
        var checksum: UInt64 = 0
        var cursor = 0

        while !signals.go.load(ordering: .acquiring) {}
        let start = ProcessMetrics.nanoseconds()
        repeat {
            for _ in 0..<PeerWorker.operationsPerCheck {
                let entry = entries[cursor]
                cursor = (cursor &+ 1) & cursorMask
                let index = UInt64(entry & OpStream.indexMask)
                WorkloadKeys.writeKey(index, to: keyBase)
                let value = UnsafeRawBufferPointer(
                    start: patternBase + WorkloadKeys.valueOffset(of: index),
                    count: valueSize
                )
                let sampled = operations & sampleMask == 0
                let operationStart = sampled ? ProcessMetrics.nanoseconds() : 0
                if entry & OpStream.writeFlag != 0 {
                    target.put(key: keyBytes, value: value)
                } else {
                    reads &+= 1
                    if target.get(key: keyBytes, into: valueOut) {
                        hits &+= 1
                        checksum &+= UInt64(readBase.load(as: UInt8.self))
                    } else {
                        target.put(key: keyBytes, value: value)
                    }
                }
                if sampled {
                    let latency = ProcessMetrics.nanoseconds() &- operationStart
                    let corrected = latency > timerOverhead ? latency - timerOverhead : 0
                    latencyCounts[LatencyHistogram.bucket(for: corrected)] &+= 1
                }
                operations &+= 1
            }
            signals.publish(operations, worker: workerIndex)
        } while !signals.stop.load(ordering: .relaxed)

        tally.elapsedNanoseconds = ProcessMetrics.nanoseconds() &- start
        tally.operations = operations
        tally.reads = reads
        tally.hits = hits
        tally.checksum = checksum
    }
}
