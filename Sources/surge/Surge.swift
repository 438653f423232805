import ArgumentParser

@main
struct Surge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surge",
        abstract: "Collect, store, query and act on metrics: one Prometheus-compatible autoscaling pipeline.",
        subcommands: [Serve.self, Query.self, Decide.self, BacktestCommand.self, TSDB.self, Bench.self, Version.self])
}
