import Testing

@testable import trove_bench

@Suite struct CSVTraceReaderTests {
    static func id(_ key: String) -> UInt64 {
        Array(key.utf8).withUnsafeBytes { TraceKeyHash.objectID($0) }
    }

    @Test func keyHashIsFNV1a64() {
        #expect(Self.id("") == 0xCBF2_9CE4_8422_2325)
        #expect(Self.id("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(Self.id("foobar") == 0x8594_4171_F739_67E8)
    }

    @Test func linesParseWithHeaderBlanksCRLFAndCommasInKeys() throws {
        let text = "timestamp,key,size\r\n1,user:42,100\r\n\n 2 ,a,b,c, 7\n3,user:42,100\n4,x,0"
        let folder = try TraceFolder()
        let path = try folder.write("t.csv", Array(text.utf8))
        let requests = try readAll(TraceFile.open(path))
        #expect(
            requests == [
                TraceRequest(timestamp: 1, objectID: Self.id("user:42"), size: 100),
                TraceRequest(timestamp: 2, objectID: Self.id("a,b,c"), size: 7),
                TraceRequest(timestamp: 3, objectID: Self.id("user:42"), size: 100),
                TraceRequest(timestamp: 4, objectID: Self.id("x"), size: 0),
            ]
        )
    }

    @Test func compressedCSVReads() throws {
        let folder = try TraceFolder()
        let path = try folder.write("t.csv.zst", TraceBytes.zstd(Array("1,k,5\n2,k,5\n".utf8)))
        #expect(try readAll(TraceFile.open(path)).map(\.objectID) == [Self.id("k"), Self.id("k")])
    }

    @Test(arguments: [
        ("1,a,1\n2,b\n", 2, "expected 3 fields"),
        ("1,a,1\nnow,b,1\n", 2, "timestamp 'now'"),
        ("1,a,1\n\n3,b,4294967296\n", 3, "size '4294967296'"),
        ("1,,1\n", 1, "the key is empty"),
        ("1,a,-1\n", 1, "size '-1'"),
        ("x,a,1\n", 1, "timestamp 'x'"),
        ("18446744073709551616,a,1\n", 1, "timestamp"),
    ])
    func badLineIsReportedWithItsNumber(_ text: String, _ line: Int, _ reason: String) throws {
        let folder = try TraceFolder()
        let path = try folder.write("bad.csv", Array(text.utf8))
        #expect {
            try readAll(TraceFile.open(path))
        } throws: { error in
            guard case .badCSVLine(path, line, let message) = error as? TraceError else { return false }
            return message.contains(reason) && "\(error)".hasPrefix("\(path):\(line): ")
        }
    }

    @Test func overLongLineIsAnError() throws {
        let folder = try TraceFolder()
        let text = "1,a,1\n2," + String(repeating: "k", count: 1 << 20) + ",1\n"
        let path = try folder.write("long.csv", Array(text.utf8))
        #expect(throws: TraceError.badCSVLine(path: path, line: 2, reason: "the line is longer than 1 MiB")) {
            try readAll(TraceFile.open(path))
        }
    }

    @Test func lineSplitAcrossReadsParsesWhole() throws {
        // Lines long enough that many of them straddle the 1 MiB buffer's refills.
        let key = String(repeating: "z", count: 3000)
        let lines = (0..<1000).map { "\($0),\(key)\($0 % 10),\($0)\n" }.joined()
        let folder = try TraceFolder()
        let path = try folder.write("wide.csv", Array(lines.utf8))
        let requests = try readAll(TraceFile.open(path))
        #expect(requests.count == 1000)
        #expect(requests[999] == TraceRequest(timestamp: 999, objectID: Self.id(key + "9"), size: 999))
    }
}
