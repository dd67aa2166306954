import ArgumentParser
import Trove

/// The cache options every trove-bench workload accepts.
struct EngineOptionGroup: ParsableArguments {
    /// Which of Trove's interfaces the workload drives.
    enum API: String, ExpressibleByArgument, CaseIterable {
        /// The `@_cdecl` C functions of include/trove.h, called through the C declarations.
        case c
        /// The `Trove.Cache` Swift wrapper.
        case swift
    }

    @Option(help: "Interface to drive: c (the trove_* functions) or swift (Trove.Cache).")
    var api: API = .c

    @Option(help: "Hot-tier memory budget in bytes (default: enough for the whole key space, so nothing is evicted).")
    var capacityBytes: Int?

    @Option(help: "Lock stripes, a power of two (default: 8 per core).")
    var stripes: Int?

    @Option(help: "Eviction policy: lru, s3fifo, wtinylfu or adaptive.")
    var policy: CacheOptions.Policy = .s3fifo

    func validate() throws {
        if let capacityBytes { try CacheFlagValidation.checkBudget(capacityBytes) }
        if let stripes { try CacheFlagValidation.checkStripes(stripes) }
    }
}
