#if canImport(Glibc)
import Glibc
#endif

/// Reading many records at once: a batch's disk reads are submitted together and each is
/// decoded as soon as it completes, with the same checks as a single read.
extension ColdTier {
    /// Reads many keys, submitting all their disk reads together (up to the reader's queue depth at a time).
    ///
    /// Each read is decoded as soon as it completes and its scratch slot refilled with the next read
    /// of the batch, so the disk keeps a queue depth while the CPU checks and decompresses.
    package func read(batch: inout [BatchRead]) {
        readers.withReader { reader in
            let blockBytes = ColdReaderPool.scratchBytes
            let depth = options.readDepth
            guard let slab = reader.batchScratch(bytes: depth * blockBytes) else { return }
            var inFlight = [InFlightRead?](repeating: nil, count: depth)
            var freeSlots = Array((0..<depth).reversed())
            var completions: [IOCompletion] = []
            completions.reserveCapacity(depth)
            // Records longer than the read hint need a second read, made once the pipeline is empty.
            var longer: [Int] = []
            func readSingly(_ request: Int, slot: UInt64) {
                batch[request].outcome = read(
                    slot: slot,
                    key: batch[request].key,
                    hash: batch[request].hash,
                    into: batch[request].buffer,
                    with: reader
                )
            }
            func reapAtLeastOne() {
                do {
                    try reader.queue.wait(forCompletions: 1)
                } catch {
                    abandon(&inFlight, freeSlots: &freeSlots, after: error)
                    return
                }
                reader.queue.reapCompletions { completions.append($0) }
                for completion in completions {
                    let position = Int(completion.tag)
                    guard position < depth, let read = inFlight[position] else { continue }
                    inFlight[position] = nil
                    freeSlots.append(position)
                    if completion.result < 0 {
                        readFailed(completion.result)
                        continue
                    }
                    // Safe because `position` is below `depth` and the slab holds `depth` blocks.
                    let scratch = slab.base + position * blockBytes
                    if isLonger(readBytes: Int(completion.result), scratch: scratch, skew: read.skew, slot: read.slot) {
                        longer.append(read.request)
                        continue
                    }
                    batch[read.request].outcome = decode(
                        readBytes: Int(completion.result),
                        scratch: scratch,
                        skew: read.skew,
                        slot: read.slot,
                        sequence: read.sequence,
                        request: batch[read.request],
                        reader: reader
                    )
                }
                completions.removeAll(keepingCapacity: true)
            }
            for request in batch.indices {
                guard let slot = index.lookup(hash: batch[request].hash) else { continue }
                switch locate(slot: slot) {
                case .memory:
                    readSingly(request, slot: slot)
                case .disk(let sequence):
                    if freeSlots.isEmpty { reapAtLeastOne() }
                    guard let position = freeSlots.popLast() else { continue }
                    let (start, skew, length) = diskSpan(of: slot)
                    // Safe because a free position is below `depth`, the slab holds `depth` blocks, and a
                    // read hint spans at most one block.
                    assert(position < depth && length <= blockBytes)
                    let scratch = UnsafeMutableRawBufferPointer(start: slab.base + position * blockBytes, count: length)
                    do {
                        try reader.queue.queueRead(
                            fd: file.descriptor,
                            offset: start,
                            into: scratch,
                            tag: UInt64(position)
                        )
                        inFlight[position] = InFlightRead(request: request, slot: slot, sequence: sequence, skew: skew)
                    } catch {
                        freeSlots.append(position)
                        counters.readErrors.bump()
                    }
                case .gone:
                    index.remove(hash: batch[request].hash, ifEqualTo: slot)
                }
            }
            while freeSlots.count < depth {
                reapAtLeastOne()
            }
            for request in longer {
                guard let slot = index.lookup(hash: batch[request].hash) else { continue }
                readSingly(request, slot: slot)
            }
        }
        for request in batch {
            count(request.outcome)
        }
    }

    /// A batched disk read waiting for its completion in one of the reader's scratch slots.
    private struct InFlightRead {
        var request: Int
        var slot: UInt64
        var sequence: UInt64
        var skew: Int
    }

    /// Gives up on every read in flight after waiting for completions failed: those gets are
    /// misses, and the tier goes out of service, because reads still owned by the kernel could
    /// land in scratch that a later batch reuses.
    private func abandon(_ inFlight: inout [InFlightRead?], freeSlots: inout [Int], after error: SystemError) {
        counters.readErrors.bump()
        let failure = EngineError(.ioError, "waiting for cold-tier reads failed (\(error)); the disk tier is off")
        lockedState.withLock { fail(failure, &$0) }
        for position in inFlight.indices where inFlight[position] != nil {
            inFlight[position] = nil
            freeSlots.append(position)
        }
    }
}

extension ColdReaderPool.Reader {
    /// Scratch for a batch of reads, kept for the reader's next batch; `nil` if it could not be mapped.
    func batchScratch(bytes: Int) -> MappedMemory? {
        if let batch, batch.byteCount >= bytes { return batch }
        batch = try? MappedMemory(byteCount: bytes)
        return batch
    }
}
