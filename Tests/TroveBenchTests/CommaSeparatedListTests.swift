import ArgumentParser
import Testing
import Trove

@testable import trove_bench

@Suite struct CommaSeparatedListTests {
    @Test func parsesEveryEntryAndKeepsTheTextAsWritten() throws {
        let list = try #require(CommaSeparatedList<Double>(argument: "0.5,1,0.25"))
        #expect(list.values == [0.5, 1, 0.25])
        #expect(list.description == "0.5,1,0.25")
        try list.validate("--fractions", expected: "in (0, 1]") { $0 > 0 && $0 <= 1 }
    }

    @Test func aDefaultReadsAsHelpShowsIt() {
        #expect(CommaSeparatedList<Int>([1, 2]).defaultValueDescription == "1,2")
        #expect(CommaSeparatedList<CacheOptions.Policy>([.lru, .adaptive]).defaultValueDescription == "lru,adaptive")
    }

    @Test(arguments: [
        ("1,x", "--threads entries must be in 1...64, got x"),
        ("1,,2", "--threads entries must be in 1...64, got an empty entry"),
        ("", "--threads entries must be in 1...64, got an empty entry"),
        ("4,65", "--threads entries must be in 1...64, got 65"),
    ])
    func validationNamesTheFirstBadEntry(_ argument: String, _ message: String) throws {
        let list = try #require(CommaSeparatedList<Int>(argument: argument))
        #expect {
            try list.validate("--threads", expected: "in 1...64") { (1...64).contains($0) }
        } throws: { error in
            (error as? ValidationError)?.message == message
        }
    }

    @Test func policyNamesTakeTheEnginesSpellings() throws {
        let list = try #require(CommaSeparatedList<CacheOptions.Policy>(argument: "clock,S3FIFO,w-tinylfu,adaptive"))
        #expect(list.values == [.lru, .s3fifo, .wtinylfu, .adaptive])
        #expect(CacheOptions.Policy(argument: "fifo") == nil)
    }
}
