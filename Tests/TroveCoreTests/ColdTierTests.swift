import Foundation
import Synchronization
import Testing
import TroveCore
import TroveTestSupport

/// An engine with a small memory tier over a disk tier in `directory`, so entries spill to disk quickly.
func coldEngine(
    _ directory: String,
    memory: UInt64 = 1 << 20,
    disk: UInt64 = 32 << 20,
    queues: IOQueueFactory = .automatic,
    threshold: UInt32 = 1024
) throws -> CacheEngine {
    var options = EngineOptions()
    options.capacityBytes = memory
    options.stripes = 1
    options.path = directory
    options.diskCapacityBytes = disk
    options.compressionThreshold = threshold
    options.coldIOQueues = queues
    return try CacheEngine(options: options)
}

/// A value of `length` bytes for `id`: half of it a repeating pattern (compressible), half noise.
func mixedValue(_ id: UInt64, version: UInt64 = 0, length: Int) -> [UInt8] {
    var payload = Payload.make(key: id, version: version, length: length)
    for index in Payload.headerLength..<(Payload.headerLength + (length - Payload.headerLength) / 2) {
        payload[index] = UInt8(truncatingIfNeeded: index % 7)
    }
    return payload
}

@Suite(.serialized) struct ColdTierTests {
    /// Small, large compressible and large incompressible values all come back through the disk tier.
    @Test(arguments: [IOBackendSelection.ioUring, .synchronous])
    func roundTripsThroughDisk(backend: IOBackendSelection) throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        let engine = try coldEngine(directory.path, queues: .backend(backend))
        let lengths = [40, 900, 4096, 20_000]
        var values: [UInt64: [UInt8]] = [:]
        for id in 0..<2000 as Range<UInt64> {
            let length = lengths[Int(id % 4)]
            let value = id % 8 < 4 ? mixedValue(id, length: length) : Payload.make(key: id, version: 0, length: length)
            values[id] = value
            #expect(engine.put(key(id), value) == .ok)
        }
        // Flushed, every record demoted so far is in the file, so the reads below come from
        // disk (all but those of the one partly filled region still in its write buffer).
        #expect(engine.flush() == .ok)
        let flushed = try #require(engine.statistics()?.cold)
        for (id, value) in values {
            #expect(engine.get(key(id)) == value, "key \(id)")
        }
        let stats = try #require(engine.statistics())
        let cold = try #require(stats.cold)
        #expect(cold.isHealthy)
        #expect(cold.demotions > 1000)
        #expect(cold.hits > 1000)
        #expect(cold.compressedRecords > 100)
        #expect(cold.checksumFailures == 0)
        // `bytesWritten` counts whole regions once written; after the flush that is every record
        // but those in the partly filled region. The incompressible values (ids 4 to 7 mod 8) are
        // half of every length, so half the demoted bytes, and are stored whole: the file holds
        // at least that, less one region. The others are half pattern, which zstd shrinks by far
        // more than record headers and block padding add, so the file holds less than the
        // demoted bytes. (Measured: 8 MiB written of 12.5 MB demoted.)
        #expect(flushed.bytesWritten + flushed.regionSize >= flushed.demotedBytes / 2, "\(flushed)")
        #expect(flushed.bytesWritten < flushed.demotedBytes, "\(flushed)")
        #expect(engine.close() == .ok)
    }

    /// Moved by the test clock, not slept: an entry with a TTL read back from disk before the
    /// clock moves (its 30 s TTL leaves 30 s of real time for the load, however slow the
    /// build), and the entries with a TTL missing on disk once it has moved 30 s.
    @Test func expiredEntriesOnDiskAreMisses() throws {
        try TestClock.exclusive {
            let directory = try TemporaryDirectory(prefix: "trove-cold")
            let engine = try coldEngine(directory.path)
            for id in 0..<300 as Range<UInt64> {
                let ttl: UInt64 = id < 100 ? 30_000 : 0
                #expect(engine.put(key(id), mixedValue(id, length: 8000), ttlMilliseconds: ttl) == .ok)
            }
            let loaded = try #require(engine.statistics()?.cold)
            // 2.4 MB put into a 1 MiB memory tier: the first entries, those with a TTL, went to disk.
            #expect(loaded.demotions >= 100 && loaded.items >= 100, "the entries with a TTL went to disk: \(loaded)")
            #expect(engine.get(key(5)) == mixedValue(5, length: 8000))
            let read = try #require(engine.statistics()?.cold)
            #expect(read.hits > loaded.hits, "key 5 came from disk")
            TestClock.advance(milliseconds: 30_000)
            for id in 0..<300 as Range<UInt64> {
                let value = engine.get(key(id))
                #expect(id < 100 ? value == nil : value == mixedValue(id, length: 8000), "key \(id)")
            }
            // The 99 entries with a TTL not read before were looked up on disk and found expired there.
            let expired = try #require(engine.statistics()?.cold)
            #expect(expired.misses - read.misses >= 99, "\(expired.misses - read.misses) disk misses")
            _ = engine.close()
        }
    }

    /// An entry living on disk is overwritten, then deleted: the older copies never come back,
    /// neither while running nor after reopening.
    @Test func overwriteAndDeleteNeverReviveOlderCopies() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        var engine = try coldEngine(directory.path)
        func churn(_ base: UInt64) {
            for id in base..<base + 400 {
                _ = engine.put(key(id), mixedValue(id, length: 5000))
            }
        }
        #expect(engine.put(key(7), mixedValue(7, version: 1, length: 5000)) == .ok)
        #expect(engine.put(key(8), mixedValue(8, version: 1, length: 5000)) == .ok)
        churn(1000)
        #expect(try #require(engine.statistics()).cold?.items ?? 0 > 0)
        #expect(engine.put(key(7), mixedValue(7, version: 2, length: 3000)) == .ok)
        #expect(engine.delete(key(8)) == .ok)
        #expect(engine.get(key(8)) == nil)
        churn(2000)
        #expect(engine.get(key(7)) == mixedValue(7, version: 2, length: 3000))
        #expect(engine.get(key(8)) == nil)
        #expect(engine.delete(key(7)) == .ok)
        churn(3000)
        #expect(engine.get(key(7)) == nil)
        #expect(engine.close() == .ok)
        engine = try coldEngine(directory.path)
        #expect(engine.get(key(7)) == nil)
        #expect(engine.get(key(8)) == nil)
        #expect(engine.get(key(3100)) == mixedValue(3100, length: 5000))
        _ = engine.close()
    }

    /// Close writes a checkpoint (or, after a crash, there is none and the regions are
    /// scanned); either way every entry put before close hits after reopening, including
    /// those that were still in memory at close.
    @Test(arguments: [true, false])
    func reopenAfterCloseFindsEveryEntry(keepCheckpoint: Bool) throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        var engine = try coldEngine(directory.path)
        for id in 0..<1500 as Range<UInt64> {
            #expect(engine.put(key(id), mixedValue(id, length: 3000)) == .ok)
        }
        #expect(engine.close() == .ok)
        let checkpoint = directory.path + "/trove-cold.checkpoint"
        #expect(FileManager.default.fileExists(atPath: checkpoint))
        if !keepCheckpoint {
            try FileManager.default.removeItem(atPath: checkpoint)
        }
        engine = try coldEngine(directory.path)
        let cold = try #require(engine.statistics()?.cold)
        #expect(cold.recoveredFromCheckpoint == keepCheckpoint)
        #expect(cold.recoveredItems == 1500)
        #expect(!FileManager.default.fileExists(atPath: checkpoint))
        for id in 0..<1500 as Range<UInt64> {
            #expect(engine.get(key(id)) == mixedValue(id, length: 3000), "key \(id)")
        }
        _ = engine.close()
    }

    /// The wall clock stepping back while a directory is scanned (NTP does it, and so do the
    /// tests that put their clock back) leaves the open unharmed: recovery is timed on the
    /// monotonic clock. Timed on the wall clock, its duration underflowed and trapped.
    @Test func aClockSteppingBackDuringRecoveryIsHarmless() throws {
        try TestClock.exclusive {
            let directory = try TemporaryDirectory(prefix: "trove-cold")
            let engine = try coldEngine(directory.path)
            for id in 0..<1500 as Range<UInt64> {
                #expect(engine.put(key(id), mixedValue(id, length: 3000)) == .ok)
            }
            #expect(engine.close() == .ok)
            let stop = Atomic<Bool>(false)
            // 40 s forward and back again, over and over, while the directory is scanned.
            let stepper = TestThreads(1) { _ in
                while !stop.load(ordering: .relaxed) {
                    TestClock.advance(milliseconds: 40_000)
                    usleep(50)
                    WallClock.resetForTesting()
                    usleep(50)
                }
            }
            defer {
                stop.store(true, ordering: .relaxed)
                stepper.join()
            }
            for _ in 0..<8 {
                try FileManager.default.removeItem(atPath: directory.path + "/trove-cold.checkpoint")
                let reopened = try coldEngine(directory.path)
                let cold = try #require(reopened.statistics()?.cold)
                #expect(!cold.recoveredFromCheckpoint && cold.recoveredItems == 1500)
                #expect(cold.recoveryMilliseconds < 60_000)
                #expect(reopened.close() == .ok)
            }
        }
    }

    /// Flipped bytes in the region file: the damaged entries miss, the rest hit, nothing crashes,
    /// with the index restored from a checkpoint or rebuilt by a scan.
    @Test(arguments: [true, false])
    func flippedBytesAreMissesNotData(keepCheckpoint: Bool) throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        var engine = try coldEngine(directory.path, threshold: 0)
        for id in 0..<1000 as Range<UInt64> {
            #expect(engine.put(key(id), Payload.make(key: id, version: 0, length: 2000)) == .ok)
        }
        #expect(engine.close() == .ok)
        if !keepCheckpoint {
            try FileManager.default.removeItem(atPath: directory.path + "/trove-cold.checkpoint")
        }
        let regionFile = directory.path + "/trove-cold.regions"
        let handle = try #require(FileHandle(forUpdatingAtPath: regionFile))
        // Damage a few kilobytes in the middle of the first region.
        try handle.seek(toOffset: 100_000)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 3000))
        try handle.close()
        engine = try coldEngine(directory.path, threshold: 0)
        var hits = 0
        for id in 0..<1000 as Range<UInt64> {
            if let value = engine.get(key(id)) {
                #expect(Payload.verify(value, key: id) == 0, "key \(id) came back damaged")
                hits += 1
            }
        }
        #expect(hits >= 990, "only \(hits) of 1000 entries hit")
        #expect(hits < 1000, "the damaged entries should miss")
        let cold = try #require(engine.statistics()?.cold)
        #expect(cold.checksumFailures > 0)
        _ = engine.close()
    }

    @Test func anotherGeometryIsRefused() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        let engine = try coldEngine(directory.path, disk: 32 << 20)
        _ = engine.close()
        let error = #expect(throws: EngineError.self) { try coldEngine(directory.path, disk: 64 << 20) }
        #expect(error?.status == .badFormat)
        #expect(error?.message.contains("disk_capacity_bytes") == true)
    }

    @Test func aDirectoryCannotBeOpenedTwice() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        let engine = try coldEngine(directory.path)
        let error = #expect(throws: EngineError.self) { try coldEngine(directory.path) }
        #expect(error?.message.contains("in use") == true)
        _ = engine.close()
        let again = try coldEngine(directory.path)
        _ = again.close()
    }

    @Test func removeAllForgetsTheDiskTooAcrossReopen() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        var engine = try coldEngine(directory.path)
        for id in 0..<600 as Range<UInt64> {
            _ = engine.put(key(id), mixedValue(id, length: 4000))
        }
        #expect(engine.removeAll() == .ok)
        #expect(engine.get(key(3)) == nil)
        #expect(engine.put(key(9999), mixedValue(9999, length: 100)) == .ok)
        #expect(engine.close() == .ok)
        engine = try coldEngine(directory.path)
        #expect(engine.get(key(3)) == nil)
        #expect(engine.get(key(9999)) == mixedValue(9999, length: 100))
        _ = engine.close()
    }

    @Test func prefixAndPatternInvalidationReachTheDisk() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        var engine = try coldEngine(directory.path)
        for id in 0..<500 {
            _ = engine.put(Array("user:\(id)".utf8), mixedValue(UInt64(id), length: 4000))
            _ = engine.put(Array("post:\(id)".utf8), mixedValue(UInt64(id), length: 4000))
        }
        _ = Array("user:1".utf8).withUnsafeBytes { engine.invalidate(prefix: $0) }
        _ = engine.invalidate(matching: try KeyPattern(Array("post:?".utf8)))
        #expect(engine.get(Array("user:150".utf8)) == nil)
        #expect(engine.get(Array("post:7".utf8)) == nil)
        #expect(engine.get(Array("user:2".utf8)) == mixedValue(2, length: 4000))
        #expect(engine.get(Array("post:77".utf8)) == mixedValue(77, length: 4000))
        #expect(engine.close() == .ok)
        engine = try coldEngine(directory.path)
        #expect(engine.get(Array("user:150".utf8)) == nil)
        #expect(engine.get(Array("post:7".utf8)) == nil)
        #expect(engine.get(Array("user:2".utf8)) == mixedValue(2, length: 4000))
        _ = engine.close()
    }

    /// A batch larger than the read queue's depth, with some records longer than a read hint
    /// (which need a second read), comes back whole and in order.
    @Test func batchedGetsReadTheDiskTogether() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        let engine = try coldEngine(directory.path)
        func length(_ id: UInt64) -> Int { id % 60 == 0 ? 40_000 : 3000 }
        for id in 0..<1200 as Range<UInt64> {
            _ = engine.put(key(id), mixedValue(id, length: length(id)))
        }
        let ids: [UInt64] = (0..<200).map { $0 * 6 } + [99_999]
        let found = engine.getMany(ids.map(key), bufferSize: 65536)
        for (position, id) in ids.enumerated() where id != 99_999 {
            #expect(found[position].result.status == .ok, "key \(id)")
            let intact = found[position].value == mixedValue(id, length: length(id))
            #expect(intact, "key \(id)")
        }
        #expect(found.last?.result.status == .notFound)
        #expect(try #require(engine.statistics()?.cold).hits > 100)
        _ = engine.close()
    }

    /// A batch naming keys more than once, in both tiers, among misses and a value larger
    /// than its buffer: every position gets its own answer, the second read of a disk key
    /// included (by then promoted, or read from disk again).
    @Test func batchedGetsAnswerEveryPositionOfRepeatsAndMisses() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        let engine = try coldEngine(directory.path)
        for id in 0..<1200 as Range<UInt64> {
            _ = engine.put(key(id), mixedValue(id, length: id == 7 ? 9000 : 3000))
        }
        #expect(engine.flush() == .ok)
        let onDisk: [UInt64] = [0, 1, 7]
        let inMemory: UInt64 = 1199
        #expect(key(inMemory).withUnsafeBytes { engine.contains(key: $0) } == .ok)
        let ids: [UInt64?] = [0, 0, inMemory, nil, 1, inMemory, 7, 1, nil, 0, 7]
        let found = engine.getMany(ids.map { key($0 ?? 99_999) }, bufferSize: 4096)
        #expect(found.count == ids.count)
        for (position, id) in ids.enumerated() {
            switch id {
            case nil:
                #expect(found[position].result.status == .notFound, "position \(position)")
            case 7:
                #expect(found[position].result == CacheEngine.ReadResult(status: .bufferTooSmall, length: 9000))
            case let id?:
                #expect(found[position].result.status == .ok, "position \(position)")
                #expect(found[position].value == mixedValue(id, length: 3000), "position \(position)")
            }
        }
        #expect(try #require(engine.statistics()?.cold).hits >= UInt64(onDisk.count))
        _ = engine.close()
    }
}

@Suite struct ColdTierFailureTests {
    /// The disk fills up while running: the cold tier goes out of service and says why, and
    /// the cache keeps serving from memory without losing what memory holds.
    @Test func fullDiskDegradesToMemoryOnly() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        let budget = FailingIOQueue.Budget(bytes: 3 << 20)
        let engine = try coldEngine(directory.path, queues: FailingIOQueue.factory(budget))
        for id in 0..<3000 as Range<UInt64> {
            #expect(engine.put(key(id), mixedValue(id, length: 4000)) == .ok)
        }
        #expect(budget.failures.load(ordering: .relaxed) > 0)
        #expect(engine.flush() == .noSpace)
        let cold = try #require(engine.statistics()?.cold)
        #expect(!cold.isHealthy)
        #expect(cold.failure?.status == .noSpace)
        #expect(cold.failure?.message.contains("No space left") == true)
        // Memory keeps working: the most recent entries are there, and new puts and gets succeed.
        #expect(engine.get(key(2999)) == mixedValue(2999, length: 4000))
        #expect(engine.put(key(5000), mixedValue(5000, length: 100)) == .ok)
        #expect(engine.get(key(5000)) == mixedValue(5000, length: 100))
        for id in 0..<3000 as Range<UInt64> {
            if let value = engine.get(key(id)) {
                #expect(value == mixedValue(id, length: 4000))
            }
        }
        #expect(engine.close() == .noSpace)
    }

    /// Emptying a cache whose disk filled up, with regions left to the writer that stopped:
    /// `removeAll` returns (it used to wait for those regions forever) and its new epoch
    /// holds, so a reopen on a working disk finds none of the entries either.
    @Test func removeAllAfterADiskFailureEmptiesTheCacheForGood() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        let engine = try Self.filledPastAFullDisk(directory.path)
        #expect(engine.removeAll() == .ok)
        #expect(Self.ids.filter { engine.get(key($0)) != nil } == [])
        #expect(engine.put(key(5000), mixedValue(5000, length: 100)) == .ok)
        #expect(engine.get(key(5000)) == mixedValue(5000, length: 100))
        _ = engine.close()
        let reopened = try coldEngine(directory.path)
        defer { _ = reopened.close() }
        #expect(Self.ids.filter { reopened.get(key($0)) != nil } == [])
    }

    /// Once the disk tier has failed, deletes reach only memory (the tombstones cannot be
    /// written), so the directory must not be trusted again: a reopen on a working disk finds
    /// none of the old entries, rather than a deleted one come back stale.
    @Test func aDeleteAfterADiskFailureDoesNotComeBackAfterAReopen() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        let engine = try Self.filledPastAFullDisk(directory.path)
        for id in Self.ids { _ = engine.delete(key(id)) }
        _ = engine.close()
        let reopened = try coldEngine(directory.path)
        defer { _ = reopened.close() }
        #expect(Self.ids.filter { reopened.get(key($0)) != nil } == [])
    }

    /// The keys `filledPastAFullDisk` puts.
    private static let ids = 0..<3000 as Range<UInt64>

    /// An engine whose disk took 3 MiB of the 12 MB put into it, then ran out of space: its
    /// tier is out of service with regions left to the stopped writer.
    private static func filledPastAFullDisk(_ directory: String) throws -> CacheEngine {
        let budget = FailingIOQueue.Budget(bytes: 3 << 20)
        let engine = try coldEngine(directory, queues: FailingIOQueue.factory(budget))
        for id in ids { _ = engine.put(key(id), mixedValue(id, length: 4000)) }
        #expect(engine.flush() == .noSpace)
        return engine
    }

    /// The disk starts failing reads: a get of an entry on disk is a miss, not a crash or a
    /// wrong value; the tier goes out of service saying why; memory keeps serving. Through
    /// single gets and through a batch.
    @Test(arguments: [false, true]) func readErrorsDegradeToMemoryOnly(batched: Bool) throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        let budget = FailingIOQueue.Budget(bytes: .max)
        let engine = try coldEngine(directory.path, queues: FailingIOQueue.factory(budget))
        for id in 0..<4000 as Range<UInt64> {
            #expect(engine.put(key(id), mixedValue(id, length: 3000)) == .ok)
        }
        #expect(engine.flush() == .ok)
        #expect(engine.get(key(0)) == mixedValue(0, length: 3000), "read from disk while it works")
        #expect(try #require(engine.statistics()?.cold).regionsWritten > 1)
        budget.failReads.store(true, ordering: .relaxed)
        let onDisk: [UInt64] = [3, 6, 9, 12]
        if batched {
            let found = engine.getMany(onDisk.map(key), bufferSize: 4096)
            #expect(found.allSatisfy { $0.result.status == .notFound })
        } else {
            for id in onDisk {
                let found = engine.get(key(id)) != nil
                #expect(!found, "key \(id) came back although its read failed")
            }
        }
        #expect(budget.failures.load(ordering: .relaxed) > 0)
        let cold = try #require(engine.statistics()?.cold)
        #expect(cold.readErrors > 0)
        #expect(!cold.isHealthy)
        #expect(cold.failure?.status == .ioError)
        let newest = engine.get(key(3999)) == mixedValue(3999, length: 3000)
        #expect(newest, "the newest entries are still in memory")
        #expect(engine.put(key(5000), mixedValue(5000, length: 100)) == .ok)
        #expect(engine.get(key(5000)) == mixedValue(5000, length: 100))
        _ = engine.close()
    }

    /// A directory that cannot be created leaves a memory-only cache that reports the failure.
    @Test func unusableDirectoryDegradesToMemoryOnly() throws {
        let directory = try TemporaryDirectory(prefix: "trove-cold")
        let blocker = try directory.makeFile("not-a-directory", bytes: [1])
        let engine = try coldEngine(blocker + "/cold")
        #expect(engine.put("k", "v") == .ok)
        #expect(engine.get("k") == "v")
        let cold = try #require(engine.statistics()?.cold)
        #expect(!cold.isHealthy)
        #expect(cold.failure?.message.contains("mkdir") == true)
        #expect(engine.flush() == .ioError)
        _ = engine.close()
    }
}

@Suite(.serialized) struct ColdAdmissionTests {
    /// A working set twice the memory tier, read round after round, then a scan of keys
    /// written once: the adaptive policy sends the working set to disk once it has been
    /// requested twice (it comes back from there) but keeps a large part of the scan off it
    /// (over two fifths; every other policy writes all of it).
    @Test func adaptivePolicyKeepsOneHitWondersOffTheDisk() throws {
        let directory = try TemporaryDirectory(prefix: "trove-admission")
        var options = EngineOptions()
        options.capacityBytes = 1 << 20
        options.stripes = 1
        options.path = directory.path
        options.diskCapacityBytes = 64 << 20
        options.policy = .adaptive
        let engine = try CacheEngine(options: options)
        let workingSet = 0..<4000 as Range<UInt64>
        // A key seen once is not worth a disk write yet, so the second round finds keys
        // nowhere, and the third a few whose count the sketch's aging halved; by the fourth
        // every key has a history of reuse and comes back from disk.
        var lost = [0, 0, 0, 0]
        for round in 0..<4 {
            for id in workingSet where engine.get(key(id)) == nil {
                lost[round] += 1
                _ = engine.put(key(id), Payload.make(key: id, version: 0, length: 500))
            }
        }
        #expect(lost[0] == workingSet.count)
        #expect(lost[2] < workingSet.count / 10, "\(lost[2]) keys lost in the third round")
        #expect(lost[3] == 0, "\(lost[3]) keys lost in the fourth round")
        let before = try #require(engine.statistics()?.cold)
        for id in 1_000_000..<1_080_000 as Range<UInt64> {
            _ = engine.put(key(id), Payload.make(key: id, version: 0, length: 500))
        }
        let after = try #require(engine.statistics())
        let scanDemotions = try #require(after.cold).demotions - before.demotions
        #expect(before.demotions >= 4000, "the working set went to disk")
        // Every other policy writes all 80,000. How many the adaptive one writes is how long its
        // online model takes to learn that scanned keys do not come back: their first negative
        // labels arrive a horizon (the memory tier's capacity in entries) after their insert,
        // and each then moves the weights by one learning step, so no bound follows from the
        // design alone. Three fifths is a tripwire from measurement (40,037 today, the same in
        // five runs): it fails a change that lets three fifths or more of a scan reach the disk.
        // It does not show that most of the scan stays off; today a little under half does.
        #expect(scanDemotions < 80_000 * 3 / 5, "\(scanDemotions) of 80,000 scanned keys were written to disk")
        #expect(engine.close() == .ok)
    }
}
