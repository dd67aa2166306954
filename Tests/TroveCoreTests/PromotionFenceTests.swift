import Testing
import TroveTestSupport

@testable import TroveCore

/// A disk read's hit is copied into memory only if no bulk removal (an invalidation by prefix or
/// pattern, or `removeAll`) ran while it was read: else the entry the removal removed could come
/// back. `TierInvalidationTests` races the two; here their interleaving is played step by step.
@Suite struct PromotionFenceTests {
    /// A ticket is admitted only while no removal has run since it was taken, and one taken while
    /// a removal runs never is, overlapping removals included.
    @Test func aTicketIsAdmittedOnlyIfNoRemovalRanSinceItWasTaken() {
        let fence = PromotionFence()
        // `#expect` cannot capture the fence, which is not copyable: each check is a `Bool` first.
        func expect(
            _ ticket: PromotionFence.Ticket,
            admitted: Bool,
            _ comment: Comment? = nil,
            sourceLocation: SourceLocation = #_sourceLocation
        ) {
            let admits = fence.admits(ticket)
            #expect(admits == admitted, comment, sourceLocation: sourceLocation)
        }
        let quiet = fence.ticket()
        expect(quiet, admitted: true)
        expect(quiet, admitted: true, "admitting takes nothing away")
        fence.begin()
        expect(quiet, admitted: false)
        let during = fence.ticket()
        expect(during, admitted: false)
        fence.begin()
        fence.end()
        expect(during, admitted: false, "one of two overlapping removals ended")
        fence.end()
        expect(quiet, admitted: false)
        expect(during, admitted: false)
        let after = fence.ticket()
        expect(after, admitted: true)
        fence.begin()
        fence.end()
        expect(after, admitted: false, "a removal began and ended since")
    }

    /// A read of a disk-only key hits, an invalidation matching the key runs to completion, then
    /// the read finishes: it returns the value it read, but does not copy it into memory, so the key
    /// is gone. The same read finished with no invalidation in between does promote.
    @Test(arguments: ["prefix", "pattern"])
    func aReadThatBeganBeforeAnInvalidationDoesNotPromote(_ kind: String) throws {
        let directory = try TemporaryDirectory(prefix: "trove-fence")
        let engine = try coldEngine(directory.path)
        let kept = Array("kept:1".utf8)
        let target = Array("fence:1".utf8)
        let value = Array("a value".utf8)
        #expect(engine.put(kept, value) == .ok)
        #expect(engine.put(target, value) == .ok)
        let filler = [UInt8](repeating: 7, count: 3000)
        for id in 0..<800 as Range<UInt64> { _ = engine.put(key(id), filler) }
        #expect(engine.flush() == .ok)

        #expect(try Self.readFromDisk(kept, in: engine) {} == value)
        #expect(Self.isInMemory(kept, in: engine), "promoted")
        let read = try Self.readFromDisk(target, in: engine) {
            let status =
                kind == "prefix"
                ? Array("fence:".utf8).withUnsafeBytes { engine.invalidate(prefix: $0).status }
                : engine.invalidate(matching: try KeyPattern(Array("fence:*".utf8))).status
            #expect(status == .ok)
        }
        #expect(read == value, "read before the invalidation")
        #expect(!Self.isInMemory(target, in: engine), "not promoted")
        #expect(engine.get(target) == nil)
        #expect(engine.get(kept) == value)
        #expect(engine.close() == .ok)
    }

    static func isInMemory(_ key: [UInt8], in engine: CacheEngine) -> Bool {
        key.withUnsafeBytes { engine.hot.contains(hash: KeyHash.hash($0), key: $0) }
    }

    /// Reads `key`, which must be only on disk, as `get` does, with `between` run after the disk
    /// read and before the promotion.
    static func readFromDisk(
        _ key: [UInt8],
        in engine: CacheEngine,
        between: () throws -> Void
    ) throws -> [UInt8] {
        try #require(!isInMemory(key, in: engine), "only on disk")
        let cold = try #require(engine.cold)
        let cell = try #require(engine.enter())
        defer { engine.leave(cell) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let length = try key.withUnsafeBytes { key in
            try buffer.withUnsafeMutableBytes { buffer in
                let hash = KeyHash.hash(key)
                let ticket = cold.promotionFence.ticket()
                let outcome = cold.read(key: key, hash: hash, into: buffer)
                try between()
                let result = engine.finish(outcome, ticket: ticket, key: key, hash: hash, buffer: buffer, cell: cell)
                return result.status == .ok ? result.length : -1
            }
        }
        try #require(length >= 0, "read from disk")
        return Array(buffer[..<length])
    }
}
