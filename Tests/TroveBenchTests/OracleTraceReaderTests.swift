import Testing

@testable import trove_bench

@Suite struct OracleTraceReaderTests {
    @Test(arguments: [0, 1, 5, 40_000])
    func plainFileRoundTrips(_ count: Int) throws {
        let folder = try TraceFolder()
        let requests = TraceBytes.sampleRequests(count: count)
        let path = try folder.write("sample.oracleGeneral.bin", TraceBytes.oracle(requests))
        #expect(try readAll(TraceFile.open(path)) == requests)
    }

    @Test(arguments: [0, 1, 5, 40_000])
    func zstdFileRoundTrips(_ count: Int) throws {
        let folder = try TraceFolder()
        let requests = TraceBytes.sampleRequests(count: count)
        let path = try folder.write("sample.oracleGeneral.bin.zst", TraceBytes.zstd(TraceBytes.oracle(requests)))
        #expect(try readAll(TraceFile.open(path)) == requests)
    }

    @Test func concatenatedFramesReadAsOneStream() throws {
        let folder = try TraceFolder()
        let requests = TraceBytes.sampleRequests(count: 3000)
        let bytes = TraceBytes.oracle(requests)
        // Split mid-record, so a record spans two frames.
        let frames = TraceBytes.zstd(Array(bytes[..<30_001])) + TraceBytes.zstd(Array(bytes[30_001...]))
        let path = try folder.write("split.bin.zst", frames)
        #expect(try readAll(TraceFile.open(path)) == requests)
    }

    @Test func truncatedRecordNamesTheRecordAndOffset() throws {
        let folder = try TraceFolder()
        let bytes = TraceBytes.oracle(TraceBytes.sampleRequests(count: 3)) + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        for path in [
            try folder.write("cut.oracleGeneral.bin", bytes),
            try folder.write("cut.oracleGeneral.bin.zst", TraceBytes.zstd(bytes)),
        ] {
            let reader = try TraceFile.open(path)
            #expect(throws: TraceError.truncatedRecord(path: path, record: 4, offset: 72, bytes: 10)) {
                try readAll(reader)
            }
        }
    }

    @Test func corruptZstdDataIsReportedWithItsOffset() throws {
        let folder = try TraceFolder()
        var frame = TraceBytes.zstd(TraceBytes.oracle(TraceBytes.sampleRequests(count: 100)))
        frame[0] ^= 0xFF
        let path = try folder.write("bad.oracleGeneral.bin.zst", frame)
        #expect {
            try readAll(TraceFile.open(path))
        } throws: { error in
            guard case .corruptCompressedData(let file, let offset, _) = error as? TraceError else { return false }
            return file == path && offset == 0
        }
    }

    @Test func cutZstdFrameIsTruncatedNotCorrupt() throws {
        let folder = try TraceFolder()
        let frame = TraceBytes.zstd(TraceBytes.oracle(TraceBytes.sampleRequests(count: 5000)))
        let path = try folder.write("half.oracleGeneral.bin.zst", Array(frame[..<(frame.count / 2)]))
        #expect {
            try readAll(TraceFile.open(path))
        } throws: { error in
            guard case .truncatedCompressedData(path, let offset) = error as? TraceError else { return false }
            return offset == UInt64(frame.count / 2)
        }
        let empty = try folder.write("empty.oracleGeneral.bin.zst", [])
        #expect(throws: TraceError.truncatedCompressedData(path: empty, offset: 0)) {
            try readAll(TraceFile.open(empty))
        }
    }

    @Test func missingFileSaysSo() throws {
        let folder = try TraceFolder()
        let path = folder.path + "/absent.oracleGeneral.bin.zst"
        #expect(throws: TraceError.cannotOpen(path: path, reason: "No such file or directory")) {
            try TraceFile.open(path)
        }
        let error = TraceError.cannotOpen(path: path, reason: "No such file or directory")
        #expect(error.description.contains(path) && error.description.contains("check the path"))
    }

    @Test func formatComesFromTheNameUnlessGiven() throws {
        #expect(TraceFormat.detect(fromName: "a/b.oracleGeneral.bin.zst") == .oracle)
        #expect(TraceFormat.detect(fromName: "x.oracleGeneral") == .oracle)
        #expect(TraceFormat.detect(fromName: "x.bin") == .oracle)
        #expect(TraceFormat.detect(fromName: "x.csv.zst") == .csv)
        #expect(TraceFormat.detect(fromName: "x.txt") == nil)
        #expect(TraceFormat.traceName("/t/twitter_cluster52.oracleGeneral.bin.zst") == "twitter_cluster52")
        #expect(TraceFormat.traceName("web.csv") == "web")
        #expect(TraceFormat.traceName("plain") == "plain")

        let folder = try TraceFolder()
        let requests = TraceBytes.sampleRequests(count: 10)
        let path = try folder.write("records.dat", TraceBytes.oracle(requests))
        #expect(throws: TraceError.unknownFormat(path: path)) { try TraceFile.open(path) }
        #expect(try readAll(TraceFile.open(path, format: .oracle)) == requests)
    }

    @Test func loadingCountsDistinctObjects() throws {
        let folder = try TraceFolder()
        let requests = [7, 8, 7, 9, 7, 8].map { TraceRequest(timestamp: 0, objectID: $0, size: 10) }
        let path = try folder.write("t.oracleGeneral.bin.zst", TraceBytes.zstd(TraceBytes.oracle(requests)))
        let trace = try LoadedTrace(reading: TraceFile.open(path), name: "t")
        #expect(trace.count == 6)
        #expect(trace.distinctObjects == 3)
        #expect(trace.objectIDs == [7, 8, 7, 9, 7, 8])
        let census = try TraceFile.census(path)
        #expect(census.requests == 6 && census.objects == 3)
    }

    @Test func directoryListsOnlyCompressedOracleTracesInNameOrder() throws {
        let folder = try TraceFolder()
        for name in ["b.oracleGeneral.bin.zst", "a.oracleGeneral.bin.zst", "c.oracleGeneral.bin", "README.md"] {
            try folder.write(name, [])
        }
        #expect(
            try TraceDirectory.traceFiles(in: folder.path)
                == [folder.path + "/a.oracleGeneral.bin.zst", folder.path + "/b.oracleGeneral.bin.zst"]
        )
        #expect(TraceDirectory.readme(in: folder.path) == "")
        #expect(throws: TraceError.self) { try TraceDirectory.traceFiles(in: folder.path + "/missing") }
    }
}
