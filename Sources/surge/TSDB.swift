import App
import ArgumentParser

struct TSDB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsdb",
        abstract: "Look into a Surge data directory.",
        subcommands: [Inspect.self])

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Blocks, head, samples, bytes per sample and the highest-cardinality metrics and labels.",
            discussion: "Only reads files, so it is safe to run against the directory of a running server.")

        @Option(name: .customLong("data-dir"), help: "The data directory.")
        var dataDirectory = "data"

        @Option(help: "Entries in each cardinality ranking.")
        var limit = 10

        func validate() throws {
            guard limit >= 1 else { throw ValidationError("--limit must be at least 1, not \(limit)") }
        }

        func run() throws {
            do {
                print(try InspectReport.render(dataDirectory: dataDirectory, limit: limit), terminator: "")
            } catch {
                throw ValidationError("\(dataDirectory): \(error)")
            }
        }
    }
}
