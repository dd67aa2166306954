import Testing

@testable import trove_bench

@Suite struct SplitMix64Tests {
    @Test func knownOutputsFromStateZero() {
        var generator = SplitMix64(state: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test func nextDoubleUsesTheTop53Bits() {
        var generator = SplitMix64(state: 42)
        var copy = generator
        let bits = copy.next()
        #expect(generator.nextDouble() == Double(bits >> 11) / 9_007_199_254_740_992)
        #expect(generator.state == copy.state)
    }
}
