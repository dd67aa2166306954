#if canImport(Glibc)
import Glibc
#endif

/// Reading records back: from a write buffer if the region is still in memory, else
/// from disk through a borrowed reader, one read at a time or a batch at once.
///
/// A record is returned only if its header and payload checksums hold, it belongs to the
/// region's current use, its key is the one asked for, it has not expired and no later
/// invalidation covers it. Anything else is a miss, and the index entry that led to a
/// damaged, stale or expired record is removed.
extension ColdTier {
    /// What a read found.
    package enum ReadOutcome: Equatable {
        /// The value, of this length, was copied into the buffer; `slot` is the index entry
        /// read (for promotion) and `expiry` the record's expiry.
        case hit(length: Int, slot: UInt64, expiry: UInt64)
        /// The value has this length, more than the buffer holds; nothing was copied.
        case bufferTooSmall(Int)
        case miss
    }

    /// Copies `key`'s value into `buffer` if the cold tier has it.
    ///
    /// - Complexity: One index probe, then a copy from memory or one disk read (two for a
    ///   record longer than the read hint), a checksum and, if compressed, a decompression.
    package func read(
        key: UnsafeRawBufferPointer,
        hash: UInt64,
        into buffer: UnsafeMutableRawBufferPointer
    )
        -> ReadOutcome
    {
        guard let slot = index.lookup(hash: hash) else {
            counters.misses.bump()
            return .miss
        }
        let outcome = readers.withReader { reader in
            read(slot: slot, key: key, hash: hash, into: buffer, with: reader)
        }
        count(outcome)
        return outcome
    }

    /// One get of a batch: the key, its hash, where its value goes, and (filled in) what was found.
    package struct BatchRead {
        package var key: UnsafeRawBufferPointer
        package var hash: UInt64
        package var buffer: UnsafeMutableRawBufferPointer
        package var outcome: ReadOutcome = .miss

        package init(key: UnsafeRawBufferPointer, hash: UInt64, buffer: UnsafeMutableRawBufferPointer) {
            self.key = key
            self.hash = hash
            self.buffer = buffer
        }
    }

    /// Whether a read hint's bytes hold an intact-looking header of a record that runs past them.
    func isLonger(readBytes: Int, scratch: UnsafeMutableRawPointer, skew: Int, slot: UInt64) -> Bool {
        let regionOffset = ColdSlot.offsetUnits(slot) * geometry.unit
        // Safe because the guard checks that the header's bytes were read before `readHeader` reads them.
        guard readBytes >= skew + ColdRecord.headerLength,
            let header = ColdRecord.readHeader(at: scratch + skew, available: geometry.regionSize - regionOffset)
        else { return false }
        return skew + header.length > readBytes
    }

    func count(_ outcome: ReadOutcome) {
        if case .miss = outcome { counters.misses.bump() } else { counters.hits.bump() }
    }

    /// Where the region a slot points into is now.
    enum Location {
        case memory
        case disk(sequence: UInt64)
        /// Evicted or being evicted: the slot is stale.
        case gone
    }

    func locate(slot: UInt64) -> Location {
        lockedState.withLock { state in
            guard state.failure == nil else { return .gone }
            let region = state.regions[ColdSlot.region(slot)]
            if region.buffer != nil { return .memory }
            return region.phase == .durable ? .disk(sequence: region.sequence) : .gone
        }
    }

    /// The block-aligned file span the slot's read hint covers: its start, the record's
    /// offset within it, and its length.
    func diskSpan(of slot: UInt64) -> (start: Int64, skew: Int, length: Int) {
        let position =
            Int64(ColdSlot.region(slot)) * Int64(geometry.regionSize)
            + Int64(ColdSlot.offsetUnits(slot) * geometry.unit)
        let start = position & ~4095
        return (start, Int(position - start), ColdSlot.blocks(slot) * 4096)
    }

    /// One record, from memory or disk.
    func read(
        slot: UInt64,
        key: UnsafeRawBufferPointer,
        hash: UInt64,
        into buffer: UnsafeMutableRawBufferPointer,
        with reader: ColdReaderPool.Reader
    ) -> ReadOutcome {
        let request = BatchRead(key: key, hash: hash, buffer: buffer)
        let region = ColdSlot.region(slot)
        let offset = ColdSlot.offsetUnits(slot) * geometry.unit
        let found = lockedState.withLock { state in
            copyFromMemory(region: region, offset: offset, with: reader, state)
        }
        let sequence: UInt64
        switch found {
        case .copied(let header, let copy, let copiedSequence):
            return decode(
                record: header,
                at: copy,
                slot: slot,
                sequence: copiedSequence,
                request: request,
                reader: reader
            )
        case .onDisk(let diskSequence):
            sequence = diskSequence
        case .damaged:
            return discard(slot: slot, request: request, damaged: true)
        case .gone:
            return discard(slot: slot, request: request, damaged: false)
        case .miss:
            return .miss
        }
        let (start, skew, length) = diskSpan(of: slot)
        // Safe because a read hint spans at most the reader's scratch block.
        assert(length <= ColdReaderPool.scratchBytes)
        let scratch = reader.scratch.base
        let bytesRead = readFromDisk(
            at: start,
            into: UnsafeMutableRawBufferPointer(start: scratch, count: length),
            with: reader
        )
        return decode(
            readBytes: bytesRead,
            scratch: scratch,
            skew: skew,
            slot: slot,
            sequence: sequence,
            request: request,
            reader: reader
        )
    }

    /// What `copyFromMemory` found for a record.
    private enum MemoryCopy {
        /// The record was in a write buffer and is now in the reader's scratch.
        case copied(header: ColdRecord, at: UnsafeMutableRawPointer, sequence: UInt64)
        /// The region is on disk, written under this sequence.
        case onDisk(sequence: UInt64)
        /// The bytes in memory do not hold an intact record header.
        case damaged
        /// The region was evicted or is being evicted: the slot is stale.
        case gone
        /// The tier is out of service, or no scratch could be mapped.
        case miss
    }

    /// Copies a record out of its write buffer if its region is still in memory; under the
    /// lock, which keeps the buffer from being reused meanwhile.
    private func copyFromMemory(
        region: Int,
        offset: Int,
        with reader: ColdReaderPool.Reader,
        _ state: borrowing State
    ) -> MemoryCopy {
        guard state.failure == nil else { return .miss }
        let located = state.regions[region]
        guard let buffer = located.buffer else {
            return located.phase == .durable ? .onDisk(sequence: located.sequence) : .gone
        }
        // Safe because the slot's offset lies within the region (it was made from an append's
        // placement) and `readHeader` reads no further than the `available` bytes filled so far.
        assert(offset < geometry.regionSize)
        let source = bufferAddress(buffer) + offset
        guard let header = ColdRecord.readHeader(at: source, available: located.length - offset) else {
            return .damaged
        }
        guard let copy = reader.scratch(bytes: header.length) else { return .miss }
        copy.copyMemory(from: source, byteCount: header.length)
        return .copied(header: header, at: copy, sequence: located.sequence)
    }

    /// Interprets bytes read from disk for a slot, reading the rest if the record is longer.
    func decode(
        readBytes: Int,
        scratch: UnsafeMutableRawPointer,
        skew: Int,
        slot: UInt64,
        sequence: UInt64,
        request: BatchRead,
        reader: ColdReaderPool.Reader
    ) -> ReadOutcome {
        guard readBytes >= skew + ColdRecord.headerLength else {
            return readBytes < 0 ? .miss : discard(slot: slot, request: request, damaged: true)
        }
        let regionOffset = ColdSlot.offsetUnits(slot) * geometry.unit
        // Safe because the guard above checked that the header's bytes were read; its payload is read
        // only once `readBytes` covers it too.
        guard let header = ColdRecord.readHeader(at: scratch + skew, available: geometry.regionSize - regionOffset)
        else {
            return discard(slot: slot, request: request, damaged: true)
        }
        if skew + header.length <= readBytes {
            return decode(
                record: header,
                at: scratch + skew,
                slot: slot,
                sequence: sequence,
                request: request,
                reader: reader
            )
        }
        // Longer than the read hint: read the whole record.
        let length = ColdTier.blockAligned(skew + header.length)
        guard let whole = reader.scratch(bytes: length) else { return .miss }
        let (start, _, _) = diskSpan(of: slot)
        let wholeRead = readFromDisk(
            at: start,
            into: UnsafeMutableRawBufferPointer(start: whole, count: length),
            with: reader
        )
        guard wholeRead >= skew + header.length else {
            return wholeRead < 0 ? .miss : discard(slot: slot, request: request, damaged: true)
        }
        return decode(
            record: header,
            at: whole + skew,
            slot: slot,
            sequence: sequence,
            request: request,
            reader: reader
        )
    }

    /// Checks a whole record and copies (or decompresses) its value out.
    func decode(
        record header: ColdRecord,
        at record: UnsafeRawPointer,
        slot: UInt64,
        sequence: UInt64,
        request: BatchRead,
        reader: ColdReaderPool.Reader
    ) -> ReadOutcome {
        guard header.sequence == UInt32(truncatingIfNeeded: sequence), header.kind == .entry else {
            return discard(slot: slot, request: request, damaged: false)
        }
        let key = request.key
        // Safe because the whole record, header, key and stored value, is in memory at `record`.
        guard header.keyLength == key.count, let keyBase = key.baseAddress,
            SharedBytes.equal(record + ColdRecord.headerLength, keyBase, count: key.count)
        else {
            // Another key with the same fingerprint owns this slot: a miss, but the slot is not ours to remove.
            return .miss
        }
        guard header.payloadIsIntact(record + ColdRecord.headerLength) else {
            return discard(slot: slot, request: request, damaged: true)
        }
        if header.expiry != 0 && header.expiry <= WallClock.nowMilliseconds() {
            return discard(slot: slot, request: request, damaged: false)
        }
        let offset = ColdSlot.offsetUnits(slot) * geometry.unit
        let hidden = lockedState.withLock { state in
            state.invalidations.contains { $0.hides(key: key, recordSequence: sequence, recordOffset: offset) }
        }
        if hidden {
            return discard(slot: slot, request: request, damaged: false)
        }
        guard header.valueLength <= request.buffer.count else { return .bufferTooSmall(header.valueLength) }
        let stored = UnsafeRawBufferPointer(
            start: record + ColdRecord.headerLength + header.keyLength,
            count: header.storedLength
        )
        if header.isCompressed {
            do {
                try reader.codec.decompress(stored, into: request.buffer, expectedSize: header.valueLength)
            } catch {
                return discard(slot: slot, request: request, damaged: true)
            }
        } else if header.valueLength > 0, let destination = request.buffer.baseAddress, let source = stored.baseAddress
        {
            // Safe because the buffer holds `valueLength` bytes (checked above), and an uncompressed
            // record stores exactly that many (`readHeader` checked).
            assert(stored.count == header.valueLength)
            destination.copyMemory(from: source, byteCount: header.valueLength)
        }
        return .hit(length: header.valueLength, slot: slot, expiry: header.expiry)
    }

    /// Removes the index entry that led to a record that cannot be returned; counts damage.
    private func discard(slot: UInt64, request: BatchRead, damaged: Bool) -> ReadOutcome {
        if damaged { counters.checksumFailures.bump() }
        index.remove(hash: request.hash, ifEqualTo: slot)
        return .miss
    }

    /// Reads `buffer.count` bytes at `offset` through the reader's queue.
    ///
    /// - Returns: The bytes read, or -1 after an I/O error (which takes the tier out of service).
    private func readFromDisk(
        at offset: Int64,
        into buffer: UnsafeMutableRawBufferPointer,
        with reader: ColdReaderPool.Reader
    )
        -> Int
    {
        var result: Int32 = -EIO
        do {
            try reader.queue.queueRead(fd: file.descriptor, offset: offset, into: buffer, tag: 0)
            try reader.queue.wait(forCompletions: 1)
            reader.queue.reapCompletions { result = $0.result }
        } catch {
            result = -error.errno
        }
        guard result >= 0 else {
            readFailed(result)
            return -1
        }
        return Int(result)
    }

    /// Counts a failed read; EIO, a failing device, takes the tier out of service.
    func readFailed(_ result: Int32) {
        counters.readErrors.bump()
        if result == -EIO {
            let error = EngineError(.ioError, "a cold-tier read failed with EIO; the disk tier is off")
            lockedState.withLock { fail(error, &$0) }
        }
    }
}

extension ColdReaderPool.Reader {
    /// At least `bytes` of page-aligned scratch: the reader's own block for small records,
    /// a buffer kept for larger ones (grown as needed, never shrunk).
    ///
    /// - Returns: `nil` if the memory could not be mapped (the read is then a miss).
    func scratch(bytes: Int) -> UnsafeMutableRawPointer? {
        if bytes <= ColdReaderPool.scratchBytes { return scratch.base }
        if let large, large.byteCount >= bytes { return large.base }
        large = try? MappedMemory(byteCount: ColdTier.blockAligned(bytes))
        return large?.base
    }
}
