/// The index checkpoint written at close, so the next open skips scanning the regions.
///
/// ```
/// "TROVECKP"  u32 format  u32 index stripes  u64 epoch  u64 next sequence
/// u32 regions  u32 invalidations
/// per region:        u64 sequence (0 = free)  u32 length  u32 reserved
/// per invalidation:  u8 kind  u8 0  u16 0  u32 byte count  u64 sequence  u64 offset  bytes
/// per index stripe:  u64 count  count x u64 slot
/// u32 CRC32C of everything before it
/// ```
/// It describes the directory only as it was at close: `open` deletes it after reading,
/// so after a crash no stale checkpoint can be mistaken for the truth.
extension ColdTier {
    static let checkpointName = "trove-cold.checkpoint"
    private static let checkpointMagic: UInt64 = 0x504B_4345_5645_4F52
    private static let checkpointFormat: UInt32 = 1

    var checkpointPath: String { directory + "/" + ColdTier.checkpointName }

    /// Writes the checkpoint. Call only when the writer has stopped.
    func writeCheckpoint() throws(EngineError) {
        var writer = ByteWriter()
        lockedState.withLock { state in
            writer.append(ColdTier.checkpointMagic)
            writer.append(ColdTier.checkpointFormat)
            writer.append(UInt32(ColdIndex.stripeCount))
            writer.append(state.epoch)
            writer.append(state.nextSequence)
            writer.append(UInt32(state.regions.count))
            writer.append(UInt32(state.invalidations.count))
            for region in state.regions {
                let durable = region.phase == .durable
                writer.append(durable ? region.sequence : 0)
                writer.append(UInt32(durable ? region.length : 0))
                writer.append(UInt32(0))
            }
            for invalidation in state.invalidations {
                writer.append(invalidation.kind.rawValue)
                writer.append(UInt8(0))
                writer.append(UInt16(0))
                writer.append(UInt32(invalidation.bytes.count))
                writer.append(invalidation.sequence)
                writer.append(UInt64(invalidation.offset))
                writer.append(invalidation.bytes)
            }
        }
        var stripes = [[UInt64]](repeating: [], count: ColdIndex.stripeCount)
        for (stripe, slot) in index.allSlotsWithStripes() {
            stripes[stripe].append(slot)
        }
        for slots in stripes {
            writer.append(UInt64(slots.count))
            for slot in slots { writer.append(slot) }
        }
        let checksum = writer.bytes.withUnsafeBytes { CRC32C.checksum($0) }
        writer.append(checksum)
        do {
            try FileBytes.replace(directory: directory, name: ColdTier.checkpointName, with: writer.bytes)
        } catch {
            throw EngineError(error)
        }
    }

    /// Restores the state a checkpoint describes, if it is intact and matches this directory.
    ///
    /// - Returns: The entries restored, or `nil` if there is no usable checkpoint.
    func restoreCheckpoint() -> Int? {
        guard let bytes = try? FileBytes.read(checkpointPath), bytes.count > 4 else { return nil }
        let body = Array(bytes.dropLast(4))
        var trailer = ByteReader(Array(bytes.suffix(4)))
        guard trailer.read(UInt32.self) == body.withUnsafeBytes({ CRC32C.checksum($0) }) else { return nil }
        let (epoch, regionCount) = lockedState.withLock { ($0.epoch, $0.regions.count) }
        var reader = ByteReader(body)
        guard reader.read(UInt64.self) == ColdTier.checkpointMagic,
            reader.read(UInt32.self) == ColdTier.checkpointFormat,
            reader.read(UInt32.self) == UInt32(ColdIndex.stripeCount),
            reader.read(UInt64.self) == epoch,
            let next = reader.read(UInt64.self),
            reader.read(UInt32.self) == UInt32(regionCount),
            let invalidationCount = reader.read(UInt32.self)
        else { return nil }
        var restored = [RegionState](repeating: RegionState(), count: regionCount)
        for region in restored.indices {
            guard let sequence = reader.read(UInt64.self), let length = reader.read(UInt32.self),
                reader.read(UInt32.self) != nil
            else { return nil }
            if sequence != 0 {
                restored[region] = RegionState(phase: .durable, sequence: sequence, length: Int(length))
            }
        }
        var logged: [ColdInvalidation] = []
        for _ in 0..<invalidationCount {
            guard let kind = reader.read(UInt8.self).flatMap(ColdRecord.Kind.init(rawValue:)),
                reader.read(UInt8.self) != nil, reader.read(UInt16.self) != nil,
                let count = reader.read(UInt32.self), let sequence = reader.read(UInt64.self),
                let offset = reader.read(UInt64.self), let pattern = reader.read(count: Int(count)),
                let matcher = ColdInvalidation.matcher(kind: kind, bytes: pattern)
            else { return nil }
            logged.append(ColdInvalidation(matcher: matcher, sequence: sequence, offset: Int(offset)))
        }
        var slots = [[UInt64]](repeating: [], count: ColdIndex.stripeCount)
        for stripe in slots.indices {
            guard let count = reader.read(UInt64.self), count <= UInt64(reader.remaining / 8) else { return nil }
            slots[stripe].reserveCapacity(Int(count))
            for _ in 0..<count {
                guard let slot = reader.read(UInt64.self), ColdSlot.isOccupied(slot),
                    ColdSlot.region(slot) < regionCount, restored[ColdSlot.region(slot)].phase == .durable
                else { return nil }
                slots[stripe].append(slot)
            }
        }
        guard reader.remaining == 0, (try? index.restore(stripes: slots)) != nil else { return nil }
        lockedState.withLock { state in
            state.regions = restored
            state.nextSequence = max(next, 1)
            state.invalidations = logged
            state.rebuildRegionLists()
        }
        return slots.reduce(0) { $0 + $1.count }
    }
}

extension ColdInvalidation {
    /// The matcher a logged invalidation record describes, or `nil` for other kinds or a bad pattern.
    static func matcher(kind: ColdRecord.Kind, bytes: [UInt8]) -> Matcher? {
        switch kind {
        case .prefixInvalidation:
            return .prefix(bytes)
        case .patternInvalidation:
            guard let pattern = try? KeyPattern(bytes) else { return nil }
            return .pattern(pattern, source: bytes)
        case .entry, .tombstone:
            return nil
        }
    }
}
