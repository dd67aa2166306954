import ArgumentParser
import Testing

@testable import trove_bench

@Suite struct PeerOptionsTests {
    @Test func defaultsMatchTheHarness() throws {
        let options = try PeerOptions.parse([])
        #expect(options.keys == 1_000_000)
        #expect(options.valueSize == 100)
        #expect(options.seconds == 3)
        #expect(options.warmup == 0.5)
        #expect(options.threads.values == [1, 2])
        #expect(options.readRatios.values == [100, 95, 50])
        #expect(options.seed == 42)
        #expect(options.scrambles)
        #expect(options.capacity == 0)
    }

    @Test func quickLowersDefaultsAndExplicitFlagsOverride() throws {
        let quick = try PeerOptions.parse(["--quick"])
        #expect(quick.keys == 100_000)
        #expect(quick.seconds == 1)
        #expect(quick.warmup == 0.2)
        let overridden = try PeerOptions.parse(["--seconds", "4", "--quick", "--keys", "5000"])
        #expect(overridden.keys == 5000)
        #expect(overridden.seconds == 4)
        #expect(overridden.warmup == 0.2)
    }

    @Test func listsAndScalarsParse() throws {
        let options = try PeerOptions.parse([
            "--threads", "4,1,2", "--read-ratios", "0,100", "--value-size", "0", "--seed", "7", "--scramble", "0",
            "--capacity", "1000", "--warmup", "0",
        ])
        #expect(options.threads.values == [4, 1, 2])
        #expect(options.readRatios.values == [0, 100])
        #expect(options.valueSize == 0)
        #expect(options.seed == 7)
        #expect(!options.scrambles)
        #expect(options.capacity == 1000)
        #expect(options.warmup == 0)
    }

    @Test(arguments: [
        (["--keys", "0"], "--keys"),
        (["--keys", "2147483648"], "--keys"),
        (["--value-size=-1"], "--value-size"),
        (["--seconds", "0"], "--seconds"),
        (["--warmup=-0.5"], "--warmup"),
        (["--threads", "0"], "--threads"),
        (["--threads", "1,65"], "--threads"),
        (["--threads", "1,,2"], "--threads"),
        (["--threads", "two"], "--threads"),
        (["--read-ratios", "101"], "--read-ratios"),
        (["--read-ratios=-1,50"], "--read-ratios"),
        (["--scramble", "2"], "--scramble"),
        (["--capacity=-5"], "--capacity"),
    ])
    func badValueIsRejectedNamingTheFlag(_ arguments: [String], _ flag: String) {
        #expect {
            try PeerOptions.parse(arguments)
        } throws: { error in
            PeerOptions.message(for: error).contains(flag)
        }
    }

    @Test func validationMessageSaysWhatIsWrong() {
        #expect {
            try PeerOptions.parse(["--read-ratios", "100,120"])
        } throws: { error in
            PeerOptions.message(for: error) == "--read-ratios entries must be in 0...100, got 120"
        }
    }
}
