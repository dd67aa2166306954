import Testing
import Trove

@testable import trove_bench

@Suite struct ReferenceTableTests {
    static let markdown = """
        # Traces

        | file | requests |
        |---|---|
        | x | 1 |

        ## Reference miss ratios
        | trace | size | capacity (objects) | LRU | FIFO | S3FIFO | WTinyLFU | Belady |
        |---|---|---|---|---|---|---|---|
        | twitter_cluster52 | 0.1% | 143 | 0.495 | 0.530 | 0.488 | 0.531 | 0.363 |
        | twitter_cluster52 | 1% | 1,435 | 0.338 | 0.364 | 0.303 | 0.333 | 0.239 |
        | lirs_ps | 10% | 308 | 0.837 | 0.878 | 0.494 | 0.467 | 0.456 |
        """

    @Test func rowsOfTheReferenceTableParse() throws {
        let table = ReferenceTable(markdown: Self.markdown)
        #expect(table.rows.count == 3)
        let row = try #require(table.row(trace: "twitter_cluster52", fraction: 0.01))
        #expect(row.size == "1%")
        #expect(row.capacity == 1435)
        #expect(row.missRatios["lru"] == 0.338)
        #expect(row.missRatios["s3fifo"] == 0.303)
        #expect(row.missRatios["belady"] == 0.239)
        #expect(table.row(trace: "twitter_cluster52", fraction: 0.001)?.capacity == 143)
        #expect(table.row(trace: "twitter_cluster52", fraction: 0.1) == nil)
        #expect(ReferenceTable(markdown: "no tables here").rows.isEmpty)
    }

    @Test func suiteTableShowsOursBesideTheReference() throws {
        let trace = LoadedTrace(
            name: "lirs_ps",
            requests: (0..<3080).map { TraceRequest(timestamp: 0, objectID: UInt64($0), size: 1) }
        )
        let replayer = try TraceReplayer(capacity: .objects(308), policy: .s3fifo)
        _ = try replayer.replay(trace)
        let result = try ReplayResult(
            trace: "lirs_ps",
            replayer: replayer,
            seconds: 1,
            timing: .replay,
            distinctObjects: 3080,
            fraction: 0.1
        )
        let markdown = SuiteTable.render(
            trace: trace,
            results: [result],
            reference: ReferenceTable(markdown: Self.markdown)
        )
        #expect(markdown.contains("| 10% | 308 | s3fifo | 1.0000 | 0.494 | +0.5060 | +102.4% | 0.456 | 0.00M |"))
    }
}
