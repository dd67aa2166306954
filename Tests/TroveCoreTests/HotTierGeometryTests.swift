import Testing
import TroveCore

@Suite struct HotTierGeometryTests {
    @Test func rejectsBudgetsOutsideTheLimits() {
        #expect(throws: EngineError.self) {
            try HotTierGeometry(capacityBytes: 1000, requestedStripes: 0, maximumItems: 0)
        }
        #expect(throws: EngineError.self) {
            try HotTierGeometry(capacityBytes: 1 << 41, requestedStripes: 0, maximumItems: 0)
        }
        #expect(throws: EngineError.self) {
            try HotTierGeometry(capacityBytes: 64 << 20, requestedStripes: 3, maximumItems: 0)
        }
    }

    @Test func smallBudgetsUseFewerStripesAndSmallSegments() throws {
        let small = try HotTierGeometry(capacityBytes: 1 << 20, requestedStripes: 16, maximumItems: 0)
        #expect(small.stripeCount == 1)
        #expect(small.segmentSize == 64 << 10)
        #expect(small.segmentCount == 16)
    }

    @Test func largeBudgetsUseMegabyteSegments() throws {
        let large = try HotTierGeometry(capacityBytes: 4 << 30, requestedStripes: 16, maximumItems: 0)
        #expect(large.stripeCount == 16)
        #expect(large.segmentSize == 1 << 20)
        #expect(large.segmentCount == 4096)
    }

    @Test func itemLimitIsSplitAcrossStripes() throws {
        let geometry = try HotTierGeometry(capacityBytes: 64 << 20, requestedStripes: 4, maximumItems: 10)
        #expect(geometry.maximumItemsPerStripe == 3)
    }
}
