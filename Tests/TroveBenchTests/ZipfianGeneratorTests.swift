import Testing

@testable import trove_bench

@Suite struct ZipfianGeneratorTests {
    @Test func constantsForOneMillionItems() {
        let zipf = ZipfianGenerator(itemCount: 1_000_000)
        #expect(zipf.zetan == 15.391849746037371)
        #expect(zipf.eta == 0.1362913333941101)
    }

    @Test func constantsForHundredThousandItems() {
        let zipf = ZipfianGenerator(itemCount: 100_000)
        #expect(zipf.zetan == 12.778338062551246)
        #expect(zipf.eta == 0.11622472739519558)
    }

    @Test func ranksStayInRange() {
        let zipf = ZipfianGenerator(itemCount: 1000)
        #expect(zipf.rank(0) == 0)
        #expect(zipf.rank(0.5 / zipf.zetan) == 0)
        #expect(zipf.rank((1 + zipf.halfPowTheta / 2) / zipf.zetan) == 1)
        #expect(zipf.rank(0x1.fffffffffffffp-1) == 999)
    }

    @Test func singleItemAlwaysRanksZero() {
        let zipf = ZipfianGenerator(itemCount: 1)
        var generator = SplitMix64(state: 7)
        for _ in 0..<1000 {
            #expect(zipf.rank(generator.nextDouble()) == 0)
        }
    }
}
