import ArgumentParser
import Trove

/// The peers' workload (`../shared/peers`) against Trove, printing the peers' JSON lines.
struct PeerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "Run the peer harness workload (Zipf 0.99 gets and puts) against Trove.",
        discussion: """
            Loads --keys keys, then for each thread count and read ratio runs a warmup and a measured \
            phase. Prints one JSON line per configuration on stdout (the fields of ../shared/peers), a \
            summary per configuration and the engine's statistics on stderr.
            """
    )

    @OptionGroup var workload: PeerOptions
    @OptionGroup var engine: EngineOptionGroup

    func run() throws {
        var options = CacheOptions(capacityBytes: engine.capacityBytes ?? defaultCapacity())
        options.stripes = engine.stripes
        options.policy = engine.policy
        if workload.capacity > 0 { options.maximumItems = workload.capacity }
        let extra = [("api", "\"\(engine.api.rawValue)\""), ("policy", "\"\(engine.policy.rawValue)\"")]
        let report: StatisticsReport
        switch engine.api {
        case .c:
            let target = try CTarget(options: options)
            try PeerRunner.run(target: target, options: workload, peerName: "trove", extraFields: extra)
            report = try StatisticsReport(target.statistics())
        case .swift:
            let target = try SwiftTarget(options: options)
            try PeerRunner.run(target: target, options: workload, peerName: "trove", extraFields: extra)
            report = try StatisticsReport(target.statistics())
        }
        report.print()
    }

    /// A budget that holds every key without eviction, as the peers run: entry plus index, with room to spare.
    private func defaultCapacity() -> Int {
        let perEntry = 16 + workload.valueSize + 3 + 16
        return max(workload.keys * perEntry * 3 / 2 + (64 << 20), 64 << 20)
    }
}
