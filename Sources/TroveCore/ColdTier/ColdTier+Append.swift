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
            state.withLock {
                invalidations.append(
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
        state.lock()
        defer { state.unlock() }
        while true {
            guard failure == nil, !stopping else { return nil }
            if let region = current, regions[region].length + padded <= geometry.regionSize { break }
            sealCurrent()
            if openRegion() { break }
            guard waiting else { return nil }
            state.wait()
        }
        guard let region = current, let buffer = regions[region].buffer else { return nil }
        let offset = regions[region].length
        let destination = bufferAddress(buffer) + offset
        var header = record
        header.sequence = UInt32(truncatingIfNeeded: regions[region].sequence)
        header.writeHeader(to: destination)
        if let keyBase = key.baseAddress {
            (destination + ColdRecord.headerLength).copyMemory(from: keyBase, byteCount: key.count)
        }
        if let storedBase = stored.baseAddress {
            (destination + ColdRecord.headerLength + key.count).copyMemory(from: storedBase, byteCount: stored.count)
        }
        regions[region].length += padded
        let blocks = (offset % 4096 + record.length + 4095) / 4096
        return Placement(region: region, sequence: regions[region].sequence, offset: offset, blocks: blocks)
    }

    /// Hands the region being filled to the writer. Caller holds `state`.
    func sealCurrent() {
        guard let region = current, case .filling(let buffer) = regions[region].phase else { return }
        regions[region].phase = .sealed(buffer: buffer)
        sealed.append(region)
        current = nil
        state.broadcast()
    }

    /// Starts filling a free region in a free buffer. Caller holds `state`.
    ///
    /// - Returns: `false` if no buffer or no region is free (the writer is asked to catch up).
    private func openRegion() -> Bool {
        guard !freeBuffers.isEmpty, let region = freeRegions.popLast() else {
            state.broadcast()
            return false
        }
        let buffer = freeBuffers.removeLast()
        regions[region] = RegionState(
            phase: .filling(buffer: buffer),
            sequence: nextSequence,
            length: RegionHeader.length
        )
        RegionHeader(sequence: nextSequence, epoch: epoch, regionSize: geometry.regionSize).write(
            to: bufferAddress(buffer)
        )
        nextSequence += 1
        current = region
        return true
    }
}
