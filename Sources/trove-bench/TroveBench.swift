import ArgumentParser

/// `trove-bench`: Trove's workloads, with the measurements the peers in the comparison report.
@main
struct TroveBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trove-bench",
        abstract: "Measure Trove: the peers' key-value workload, and more.",
        subcommands: [
            PeerCommand.self, BudgetCommand.self, ColdCommand.self, CrashWriterCommand.self, ReopenCommand.self,
            RewriteCommand.self, TraceCommand.self, TraceSuiteCommand.self, LoadCommand.self, BulkCommand.self,
            TagsCommand.self,
        ],
        defaultSubcommand: PeerCommand.self
    )
}
