/// Samples of the policy's decisions waiting for the cache to show whether the entry was
/// requested again, and the `ReusePredictor` that learns from them as they resolve.
///
/// Two bounded tables keyed by hash. An evicted entry's sample is positive if the key is
/// inserted again (it was requested after all) within `horizon` inserts, and negative once
/// that horizon passes. A kept entry's sample is resolved when the policy next examines
/// the entry: positive if its slot counted a read meanwhile. Each table holds 1,024
/// samples in 4-way buckets, overwriting the oldest; memory: 24 KiB per table. Callers
/// label only the keys `samples(_:)` picks.
struct ReuseLabels {
    private struct Sample {
        var hash: UInt64 = 0
        var features: UInt32 = 0
        var stamp: Int = 0
    }

    private struct Table {
        private var samples = [Sample](repeating: Sample(), count: 1024)

        /// Stores a sample; returns the one it displaced, if any.
        mutating func insert(_ sample: Sample) -> Sample? {
            let base = (Int(truncatingIfNeeded: sample.hash >> 24) & 255) * 4
            var victim = base
            for way in base..<base + 4 {
                if samples[way].hash == 0 || samples[way].hash == sample.hash {
                    victim = way
                    break
                }
                if samples[way].stamp < samples[victim].stamp { victim = way }
            }
            let displaced = samples[victim]
            samples[victim] = sample
            return displaced.hash == 0 || displaced.hash == sample.hash ? nil : displaced
        }

        mutating func remove(_ hash: UInt64) -> Sample? {
            let base = (Int(truncatingIfNeeded: hash >> 24) & 255) * 4
            for way in base..<base + 4 where samples[way].hash == hash {
                defer { samples[way] = Sample() }
                return samples[way]
            }
            return nil
        }
    }

    private var evicted = Table()
    private var kept = Table()
    /// The model trained on the resolved samples.
    private(set) var model = ReusePredictor()
    /// Inserts so far: the clock of the eviction horizon.
    private var now = 0

    /// Memory the tables and the model occupy.
    static let byteCount = 2 * 1024 * MemoryLayout<Sample>.stride + ReusePredictor.byteCount

    /// Whether decisions about `hash` are labelled: one key in eight, picked by its hash, so
    /// that learning costs the eviction path an eighth of what it would while still seeing
    /// a fair sample of keys.
    @inline(__always)
    static func samples(_ hash: UInt64) -> Bool {
        hash >> 61 == 0
    }

    /// Remembers an eviction decision about `hash`.
    mutating func evicted(_ hash: UInt64, _ features: ReusePredictor.Features, horizon: Int) {
        if let displaced = evicted.insert(Sample(hash: hash | 1, features: features.packed, stamp: now)),
            now - displaced.stamp > horizon
        {
            model.learn(ReusePredictor.Features(packed: displaced.features), reused: false)
        }
    }

    /// Remembers a decision to keep `hash`.
    mutating func kept(_ hash: UInt64, _ features: ReusePredictor.Features) {
        _ = kept.insert(Sample(hash: hash | 1, features: features.packed, stamp: now))
    }

    /// The key was inserted (requested while not cached): resolves its eviction sample.
    mutating func inserted(_ hash: UInt64, horizon: Int) {
        now += 1
        if let sample = evicted.remove(hash | 1) {
            model.learn(ReusePredictor.Features(packed: sample.features), reused: now - sample.stamp <= horizon)
        }
    }

    /// The policy examined `hash` again and saw `reads` reads since: resolves its keep sample.
    mutating func examined(_ hash: UInt64, reads: Int) {
        if let sample = kept.remove(hash | 1) {
            model.learn(ReusePredictor.Features(packed: sample.features), reused: reads > 0)
        }
    }
}
