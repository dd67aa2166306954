import Testing
import TroveCore

@Suite struct EntryLayoutTests {
    @Test(arguments: [
        (1, 0, false), (16, 100, false), (127, 127, true), (128, 128, false), (1024, 16_384, true),
        (7, 1_000_000, true),
    ])
    func headerRoundTrips(keyLength: Int, valueLength: Int, hasExpiry: Bool) {
        let total = EntryLayout.totalLength(keyLength: keyLength, valueLength: valueLength, hasExpiry: hasExpiry)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: 8)
        defer { memory.deallocate() }
        let key = [UInt8](repeating: 0x41, count: keyLength)
        let value = [UInt8](repeating: 0x5A, count: valueLength)
        let expiry: UInt64 = hasExpiry ? 1_700_000_000_123 : 0
        let written = key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in EntryLayout.write(to: memory, key: k, value: v, expiry: expiry) }
        }
        #expect(written == total)
        let header = EntryLayout.readHeader(at: memory, limit: total)
        #expect(header?.keyLength == keyLength)
        #expect(header?.valueLength == valueLength)
        #expect(header?.expiry == expiry)
        #expect(header?.totalLength == total)
        #expect(EntryLayout.readHeader(at: memory, limit: total - 1) == nil, "an entry past the limit must be refused")
    }

    @Test func typicalEntryHasThreeHeaderBytes() {
        #expect(EntryLayout.headerLength(keyLength: 16, valueLength: 100, hasExpiry: false) == 3)
    }

    @Test func garbageNeverDecodesPastTheLimit() {
        var state: UInt64 = 12345
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        defer { memory.deallocate() }
        for _ in 0..<20_000 {
            for offset in 0..<64 {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                memory.storeBytes(of: UInt8(truncatingIfNeeded: state >> 33), toByteOffset: offset, as: UInt8.self)
            }
            let limit = Int(state % 64)
            if let header = EntryLayout.readHeader(at: memory, limit: limit) {
                #expect(header.totalLength <= limit)
            }
        }
    }

    @Test func deadEntriesAreInvisibleToReadersButWalkable() {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        defer { memory.deallocate() }
        let length = [UInt8]("key".utf8).withUnsafeBytes { k in
            [UInt8]("value".utf8).withUnsafeBytes { v in EntryLayout.write(to: memory, key: k, value: v, expiry: 0) }
        }
        EntryLayout.markDead(at: memory)
        #expect(EntryLayout.isDead(at: memory))
        #expect(EntryLayout.readHeader(at: memory, limit: 64) == nil)
        #expect(EntryLayout.readHeader(at: memory, limit: 64, includingDead: true)?.totalLength == length)
    }
}
