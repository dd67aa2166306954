import Testing

@testable import trove_bench

@Suite struct PeerResultTests {
    static let result = PeerResult(
        peer: "trove",
        threads: 2,
        readRatio: 95,
        operationsPerSecond: 15_433_461.5,
        loadPutsPerSecond: 1_527_478.49,
        memoryEfficiency: 0.6774,
        p50Nanoseconds: 36,
        p99Nanoseconds: 204,
        bestWindowOperationsPerSecond: 15_680_142.2,
        hitRatio: 0.99996,
        cpuUtilization: 1.004,
        memoryGrowthBytes: 17_133_568,
        timerNanoseconds: 22,
        keys: 100_000,
        valueSize: 100,
        seconds: 0.5
    )

    @Test func jsonLineHasTheFieldsAndFormatsOfPrintResult() {
        // The same fields, order and conversions as `print_result` in bench.h (%.0f rounds half to even).
        #expect(
            Self.result.jsonLine
                == #"{"peer":"trove","threads":2,"read_ratio":95,"ops_per_s":15433462,"load_puts_per_s":1527478,"#
                + #""mem_efficiency":0.677,"p50_ns":36,"p99_ns":204,"ops_per_s_best":15680142,"hit_ratio":1.0000,"#
                + #""cpu_util":1.00,"mem_growth_bytes":17133568,"timer_ns":22,"keys":100000,"value_size":100,"#
                + #""seconds":0.5}"#
        )
    }

    @Test func extraFieldsAreAppendedInOrder() {
        var result = Self.result
        result.seconds = 5
        result.extraFields = [("engine", #""trove-core""#), ("evictions", "0")]
        #expect(result.jsonLine.hasSuffix(#""seconds":5,"engine":"trove-core","evictions":0}"#))
    }

    @Test func peerNameIsEscaped() {
        #expect(PeerResult.jsonString("a\"b\\c\n") == #""a\"b\\c\n""#)
        #expect(PeerResult.jsonString("c-sol_4k") == #""c-sol_4k""#)
    }

    @Test func summaryLineIsReadable() {
        #expect(
            Self.result.summaryLine
                == "[trove] T=2 R=95: 15.43 Mops/s (best window 15.68), p50 36 ns, p99 204 ns, hits 100.00%, cpu 1.00"
        )
    }

    @Test func printfFormatMatchesC() {
        #expect(PrintfFormat.render("%016llx", UInt64(0xDEC5_5B7E_E87E_80C5)) == "dec55b7ee87e80c5")
        #expect(PrintfFormat.render("%016llx", UInt64(0xABC)) == "0000000000000abc")
        #expect(PrintfFormat.render("%g", 1.0) == "1")
        #expect(PrintfFormat.render("%g", 0.25) == "0.25")
        #expect(PrintfFormat.render("%.0f", 2.5) == "2")
        #expect(PrintfFormat.render("%.1f", 1e300).count == 303)
    }
}
