/// Rebuilding the index when a directory is opened: from the checkpoint written at
/// close, or else by scanning every region written under the current epoch, oldest first.
///
/// A scan trusts nothing it cannot check: a region counts only if its header is intact
/// and of this epoch; a record only if both its checksums hold and it carries its
/// region's sequence. A damaged record is skipped by stepping forward one unit at a time
/// until an intact header turns up, so a torn tail or flipped bytes cost only the
/// records they touch.
extension ColdTier {
    /// Restores the index and region table.
    ///
    /// - Returns: How many entries the index holds afterwards and whether a checkpoint supplied them.
    func recover() throws(EngineError) -> (items: Int, fromCheckpoint: Bool) {
        defer { try? FileBytes.remove(checkpointPath) }
        if let restored = restoreCheckpoint() {
            return (restored, true)
        }
        index.removeAll()
        try scanRegions()
        return (index.count, false)
    }

    private func scanRegions() throws(EngineError) {
        var found: [(region: Int, sequence: UInt64)] = []
        let regionCount = geometry.regionCount
        let headers: [RegionHeader?] = readers.withReader { reader in
            (0..<regionCount).map { region in
                // Safe because the reader's scratch holds more than the 4 KiB read, and the header is read
                // only if the read returned all of its bytes.
                let bytes = readRegion(region, length: 4096, into: reader.scratch.base, with: reader)
                return bytes >= RegionHeader.length ? RegionHeader.read(at: reader.scratch.base) : nil
            }
        }
        let epoch = lockedState.withLock { $0.epoch }
        for (region, header) in headers.enumerated() {
            if let header, header.epoch == epoch, header.regionSize == geometry.regionSize, header.sequence > 0 {
                found.append((region, header.sequence))
            }
        }
        found.sort { $0.sequence < $1.sequence }
        let space: MappedMemory
        do {
            space = try MappedMemory(byteCount: geometry.regionSize)
        } catch {
            throw EngineError(error)
        }
        var restored = [RegionState](repeating: RegionState(), count: regionCount)
        var logged: [ColdInvalidation] = []
        for (region, sequence) in found {
            let length = readers.withReader { reader in
                readRegion(region, length: geometry.regionSize, into: space.base, with: reader)
            }
            let end = scan(
                region: region,
                sequence: sequence,
                bytes: space.base,
                length: max(length, 0),
                invalidations: &logged
            )
            restored[region] = RegionState(phase: .durable, sequence: sequence, length: end)
        }
        lockedState.withLock { state in
            state.regions = restored
            state.nextSequence = (found.last?.sequence ?? 0) + 1
            state.invalidations = logged
            state.rebuildRegionLists()
        }
    }

    /// Indexes the records of one region image; returns where its valid data ends.
    private func scan(
        region: Int,
        sequence: UInt64,
        bytes: UnsafeMutableRawPointer,
        length: Int,
        invalidations: inout [ColdInvalidation]
    ) -> Int {
        let now = WallClock.nowMilliseconds()
        let walked = forEachIntactRecord(sequence: sequence, bytes: bytes, length: length) { record, offset, key in
            let hash = KeyHash.hash(key)
            switch record.kind {
            case .entry:
                if record.expiry != 0 && record.expiry <= now {
                    index.remove(hash: hash)
                } else {
                    do {
                        try index.upsert(hash: hash, slot: slot(of: record, at: offset, in: region, hash: hash))
                    } catch {
                        // No room to index it: make sure no older copy stays indexed instead.
                        index.remove(hash: hash)
                    }
                }
            case .tombstone:
                index.remove(hash: hash)
            case .prefixInvalidation, .patternInvalidation:
                if let matcher = ColdInvalidation.matcher(kind: record.kind, bytes: Array(key)) {
                    invalidations.append(ColdInvalidation(matcher: matcher, sequence: sequence, offset: offset))
                }
            }
        }
        if walked.damaged > 0 { counters.checksumFailures.bump(UInt64(walked.damaged)) }
        return walked.end
    }

    /// Calls `body` with each record of a region image whose header and payload checksums
    /// hold and which carries the region's sequence, in order, with its offset and key.
    ///
    /// - Returns: Where the region's valid data ends, and how many records failed their
    ///   payload checksum.
    func forEachIntactRecord(
        sequence: UInt64,
        bytes: UnsafeMutableRawPointer,
        length: Int,
        _ body: (ColdRecord, Int, UnsafeRawBufferPointer) -> Void
    ) -> (end: Int, damaged: Int) {
        let tag = UInt32(truncatingIfNeeded: sequence)
        let unit = geometry.unit
        var offset = RegionHeader.length
        var end = offset
        var damaged = 0
        // Safe because `bytes` holds a region and `length` is what was read of it: the loop condition keeps
        // every header load inside, and `readHeader` refuses a record that runs past `length`.
        assert(length <= geometry.regionSize)
        while offset + ColdRecord.headerLength <= length {
            // A cheap test first: most positions in a torn or unwritten tail fail it without a checksum.
            guard UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) == tag,
                let record = ColdRecord.readHeader(at: bytes + offset, available: length - offset),
                record.sequence == tag
            else {
                offset += unit
                continue
            }
            let padded = record.paddedLength(unit: unit)
            let payload = bytes + offset + ColdRecord.headerLength
            guard record.payloadIsIntact(payload) else {
                damaged += 1
                offset += padded
                continue
            }
            body(record, offset, UnsafeRawBufferPointer(start: payload, count: record.keyLength))
            offset += padded
            end = offset
        }
        return (end, damaged)
    }

    /// The index slot of an entry record at `offset` in `region`.
    func slot(of record: ColdRecord, at offset: Int, in region: Int, hash: UInt64) -> UInt64 {
        ColdSlot.make(
            fingerprint: ColdSlot.fingerprint(ofHash: hash),
            blocks: (offset % 4096 + record.length + 4095) / 4096,
            region: region,
            offsetUnits: offset / geometry.unit
        )
    }

    /// Reads the first `length` bytes of a region; returns the bytes read, or -1 on error.
    func readRegion(
        _ region: Int,
        length: Int,
        into destination: UnsafeMutableRawPointer,
        with reader: ColdReaderPool.Reader
    ) -> Int {
        var result: Int32 = -1
        do {
            try reader.queue.queueRead(
                fd: file.descriptor,
                offset: Int64(region) * Int64(geometry.regionSize),
                into: UnsafeMutableRawBufferPointer(start: destination, count: length),
                tag: 0
            )
            try reader.queue.wait(forCompletions: 1)
            reader.queue.reapCompletions { result = $0.result }
        } catch {
            return -1
        }
        return Int(result)
    }
}
