import App
import ArgumentParser
import Foundation
import Rules
import YAMLFiles

struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Work with Prometheus rule files.",
        subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check rule files as `promtool check rules` does.",
            discussion: "Prints SUCCESS with the number of rules, or FAILED with each problem's file:line; exits 1 when a file fails.")

        @Argument(help: "Rule files.")
        var files: [String]

        func run() async throws {
            var failed = false
            for file in files {
                print("Checking \(file)")
                do {
                    let groups = try RuleFiles.load(patterns: [file])
                    print("  SUCCESS: \(groups.reduce(0) { $0 + $1.rules.count }) rules found")
                } catch {
                    failed = true
                    print("  FAILED:")
                    print("\(error)")
                }
                print("")
            }
            if failed { throw ExitCode(1) }
        }
    }
}
