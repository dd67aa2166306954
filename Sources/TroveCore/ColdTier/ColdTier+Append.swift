/// Appending records to the region being filled: demotions, tombstones and invalidations.
extension ColdTier {
    /// Where `append` put a record.
    struct Placement {
        var region: Int
        var sequence: UInt64
        var offset: Int
        /// 4 KiB blocks the record spans from the block it starts in.
        var blocks: Int
    }

    package func demote(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        expiry: UInt64,
        hash: UInt64,
        frequency: UInt8,
        persisted: Bool
    ) {
        // A promoted or flushed entry that was never changed still has its record on disk.
        if persisted && index.lookup(hash: hash) != nil { return }
        if !store(key: key, value: value, expiry: expiry, hash: hash, waiting: false) {
            counters.droppedDemotions.bump()
        }
    }

    package func persist(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        expiry: UInt64,
        hash: UInt64
    )
        -> Bool
    {
        store(key: key, value: value, expiry: expiry, hash: hash, waiting: true)
    }

    /// Compresses (if worthwhile), appends and indexes an entry.
    ///
    /// - Parameter waiting: Wait for a free buffer instead of giving up when the writer is behind.
    /// - Returns: Whether the entry was stored and indexed.
    private func store(
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        expiry: UInt64,
        hash: UInt64,
        waiting: Bool
    ) -> Bool {
        let threshold = options.compressionThreshold
        return compressors.withCompressor { compressor in
            var stored = value
            var compressed = false
            if threshold > 0, value.count >= threshold, value.count <= CompressorPool.largestCompressedValue,
                let compressor, let length = compressor.codec.compressIfSmaller(value, into: compressor.scratch)
            {
                stored = UnsafeRawBufferPointer(rebasing: compressor.scratch[..<length])
                compressed = true
            }
            let checksum = CRC32C.checksum(stored, continuing: CRC32C.checksum(key))
            let record = ColdRecord(
                sequence: 0,
                kind: .entry,
                isCompressed: compressed,
                keyLength: key.count,
                storedLength: stored.count,
                valueLength: value.count,
                expiry: expiry,
                payloadChecksum: checksum
            )
            guard let placement = append(record, key: key, stored: stored, waiting: waiting) else { return false }
            let slot = ColdSlot.make(
                fingerprint: ColdSlot.fingerprint(ofHash: hash),
                blocks: placement.blocks,
                region: placement.region,
                offsetUnits: placement.offset / geometry.unit
            )
            do {
                try index.upsert(hash: hash, slot: slot)
            } catch {
                return false
            }
            counters.demotions.bump()
            counters.demotedBytes.bump(UInt64(key.count + value.count))
            if compressed { counters.compressedRecords.bump() }
            return true
        }
    }

    @discardableResult
    package func invalidate(key: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
        guard index.remove(hash: hash) != nil else { return false }
        // The tombstone keeps a restart's scan from bringing the old record back; it waits
        // for a buffer rather than be dropped, since a lost tombstone could revive stale data.
        let record = ColdRecord(
            sequence: 0,
            kind: .tombstone,
            keyLength: key.count,
            payloadChecksum: CRC32C.checksum(key)
        )
        _ = append(record, key: key, stored: UnsafeRawBufferPointer(start: nil, count: 0), waiting: true)
        return true
    }

    /// Logs an invalidation of every key with this prefix, or matching this pattern, written so far.
    ///
    /// Index entries cannot be found by key (keys are only on disk), so reads check older
    /// records against the logged invalidations until the regions they cover are evicted.
    func invalidate(matching matcher: ColdInvalidation.Matcher) -> TroveStatus {
        let logged = ColdInvalidation(matcher: matcher, sequence: 0, offset: 0)
        return logged.bytes.withUnsafeBytes { key in
            let record = ColdRecord(
                sequence: 0,
                kind: logged.kind,
                keyLength: key.count,
                payloadChecksum: CRC32C.checksum(key)
            )
            guard
                let placement = append(
                    record,
                    key: key,
                    stored: UnsafeRawBufferPointer(start: nil, count: 0),
                    waiting: true
                )
            else { return currentFailure?.status ?? .ioError }
            lockedState.withLock { state in
                state.invalidations.append(
                    ColdInvalidation(matcher: matcher, sequence: placement.sequence, offset: placement.offset)
                )
            }
            return .ok
        }
    }

    /// Copies a record into the region being filled, opening a new region when it is full.
    ///
    /// - Parameter waiting: Wait for the writer to free a buffer instead of giving up.
    /// - Returns: Where the record went, or `nil` if there was no room (or the tier is out of service).
    func append(
        _ record: ColdRecord,
        key: UnsafeRawBufferPointer,
        stored: UnsafeRawBufferPointer,
        waiting: Bool
    ) -> Placement? {
        let padded = record.paddedLength(unit: geometry.unit)
        guard padded <= geometry.regionSize - RegionHeader.length else { return nil }
        // An attempt gives up with `.some(nil)` and waits for the writer with `nil`.
        let placement: Placement?? = lockedState.withLockWaiting { state in
            guard state.failure == nil, !state.stopping else { return .some(nil) }
            if let region = state.current, state.regions[region].length + padded <= geometry.regionSize {
                return copy(record, key: key, stored: stored, into: region, &state)
            }
            sealCurrent(&state)
            if let region = openRegion(&state) {
                return copy(record, key: key, stored: stored, into: region, &state)
            }
            return waiting ? nil : .some(nil)
        }
        return placement ?? nil
    }

    /// Copies a record to the end of region `region`, which is being filled and has room for it.
    private func copy(
        _ record: ColdRecord,
        key: UnsafeRawBufferPointer,
        stored: UnsafeRawBufferPointer,
        into region: Int,
        _ state: inout State
    ) -> Placement? {
        guard let buffer = state.regions[region].buffer else { return nil }
        let offset = state.regions[region].length
        let padded = record.paddedLength(unit: geometry.unit)
        // Safe because the caller checked that the padded record fits between `offset` and the
        // end of the region, and the buffer is region-sized.
        assert(offset + padded <= geometry.regionSize)
        let destination = bufferAddress(buffer) + offset
        var header = record
        header.sequence = UInt32(truncatingIfNeeded: state.regions[region].sequence)
        header.writeHeader(to: destination)
        if let keyBase = key.baseAddress {
            (destination + ColdRecord.headerLength).copyMemory(from: keyBase, byteCount: key.count)
        }
        if let storedBase = stored.baseAddress {
            (destination + ColdRecord.headerLength + key.count).copyMemory(from: storedBase, byteCount: stored.count)
        }
        state.regions[region].length += padded
        let blocks = (offset % 4096 + record.length + 4095) / 4096
        return Placement(region: region, sequence: state.regions[region].sequence, offset: offset, blocks: blocks)
    }

    /// Hands the region being filled to the writer.
    func sealCurrent(_ state: inout State) {
        guard let region = state.current, case .filling(let buffer) = state.regions[region].phase else { return }
        state.regions[region].phase = .sealed(buffer: buffer)
        state.sealed.append(region)
        state.current = nil
        lockedState.broadcast()
    }

    /// Starts filling a free region in a free buffer.
    ///
    /// - Returns: The region, or `nil` if no buffer or no region is free (the writer is asked to catch up).
    private func openRegion(_ state: inout State) -> Int? {
        guard !state.freeBuffers.isEmpty, let region = state.freeRegions.popLast() else {
            lockedState.broadcast()
            return nil
        }
        let buffer = state.freeBuffers.removeLast()
        state.regions[region] = RegionState(
            phase: .filling(buffer: buffer),
            sequence: state.nextSequence,
            length: RegionHeader.length
        )
        RegionHeader(sequence: state.nextSequence, epoch: state.epoch, regionSize: geometry.regionSize).write(
            to: bufferAddress(buffer)
        )
        state.nextSequence += 1
        state.current = region
        return region
    }
}
