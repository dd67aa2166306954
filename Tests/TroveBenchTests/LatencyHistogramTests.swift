import Testing

@testable import trove_bench

@Suite struct LatencyHistogramTests {
    @Test func linearBucketsBelow65536Nanoseconds() {
        #expect(LatencyHistogram.bucket(for: 0) == 0)
        #expect(LatencyHistogram.bucket(for: 1) == 1)
        #expect(LatencyHistogram.bucket(for: 65_535) == 65_535)
        #expect(LatencyHistogram.lowerBound(ofBucket: 12_345) == 12_345)
    }

    @Test func logLinearBucketsAbove65536Nanoseconds() {
        // 2^16 ... 2^17 is split into 16 buckets of 4096 ns.
        #expect(LatencyHistogram.bucket(for: 65_536) == 65_536)
        #expect(LatencyHistogram.bucket(for: 65_536 + 4095) == 65_536)
        #expect(LatencyHistogram.bucket(for: 65_536 + 4096) == 65_537)
        #expect(LatencyHistogram.bucket(for: 131_071) == 65_536 + 15)
        #expect(LatencyHistogram.bucket(for: 131_072) == 65_536 + 16)
        #expect(LatencyHistogram.bucket(for: UInt64.max) == LatencyHistogram.bucketCount - 1)
        #expect(LatencyHistogram.lowerBound(ofBucket: 65_536) == 65_536)
        #expect(LatencyHistogram.lowerBound(ofBucket: 65_537) == 69_632)
        #expect(LatencyHistogram.lowerBound(ofBucket: 65_536 + 16) == 131_072)
        #expect(LatencyHistogram.lowerBound(ofBucket: 65_536 + 17) == 139_264)
        #expect(LatencyHistogram.lowerBound(ofBucket: LatencyHistogram.bucketCount - 1) == 31 << 59)
    }

    @Test(arguments: [UInt64(65_536), 70_000, 1_000_000, 123_456_789, 1 << 40, UInt64.max])
    func everyValueLiesInItsBucket(_ value: UInt64) {
        let bucket = LatencyHistogram.bucket(for: value)
        #expect(LatencyHistogram.lowerBound(ofBucket: bucket) <= value)
        if bucket + 1 < LatencyHistogram.bucketCount {
            #expect(value < LatencyHistogram.lowerBound(ofBucket: bucket + 1))
        }
    }

    @Test func emptyHistogramReportsZero() {
        let histogram = LatencyHistogram()
        #expect(histogram.percentile(0.5) == 0)
        #expect(histogram.percentile(0.99) == 0)
    }

    @Test func percentileIsTheBucketWhereTheCeilingRankIsReached() {
        var histogram = LatencyHistogram()
        for value in 1...100 as ClosedRange<UInt64> {
            histogram.record(value)
        }
        #expect(histogram.sampleCount == 100)
        #expect(histogram.percentile(0.5) == 50)
        #expect(histogram.percentile(0.99) == 99)
        #expect(histogram.percentile(0.991) == 100)
        #expect(histogram.percentile(0) == 1)
        #expect(histogram.percentile(1) == 100)
    }

    @Test func percentileReportsTheBucketLowerBound() {
        var histogram = LatencyHistogram()
        histogram.record(10)
        histogram.record(100_000)
        histogram.record(100_001)
        // ceil(0.5 * 3) = 2 samples are reached in the bucket [98 304, 102 400).
        #expect(histogram.percentile(0.5) == 98_304)
        #expect(histogram.percentile(0.3) == 10)
    }

    @Test func mergeAddsCounts() {
        var first = LatencyHistogram()
        var second = LatencyHistogram()
        first.record(5)
        second.record(5)
        second.record(7)
        first.merge(second)
        #expect(first.sampleCount == 3)
        #expect(first.counts[5] == 2)
        #expect(first.counts[7] == 1)
    }
}
