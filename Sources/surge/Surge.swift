import ArgumentParser

struct Surge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surge",
        abstract: "Collect, store, query and act on metrics: one Prometheus-compatible autoscaling pipeline.",
        version: Version.text,
        subcommands: [Serve.self, Query.self, RulesCommand.self, CheckCommand.self, Decide.self, History.self, BacktestCommand.self, TSDB.self, Bench.self,
                      Version.self])
}

extension Surge {
    /// `AsyncParsableCommand.main()`, callable from top-level code, where the synchronous overload would win.
    static func runAsRoot() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
