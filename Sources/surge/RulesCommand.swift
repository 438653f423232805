import App
import ArgumentParser
import Foundation
import Rules
import YAMLFiles

struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Work with Prometheus rule files.",
        subcommands: [Check.self, Test.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check rule files as `promtool check rules` does.",
            discussion: "Prints SUCCESS with the number of rules, or FAILED with each problem's file:line; exits 1 when a file fails.")

        @Argument(help: "Rule files.")
        var files: [String]

        func run() async throws {
            if !checkRuleFiles(files) { throw ExitCode(1) }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run rule unit tests as `promtool test rules` does.",
            discussion: """
                Reads promtool's unit-test files (rule_files, evaluation_interval, group_eval_order, tests with \
                input_series, alert_rule_test and promql_expr_test). Prints SUCCESS or FAILED with each failed \
                expectation per file; exits 1 when any file fails.
                """)

        @Argument(help: "Unit-test files.")
        var files: [String]

        func run() async throws {
            var failed = false
            for file in files {
                print("Unit Testing:  \(file)")
                let outcome = await RuleTestRunner.embedded.run(path: file)
                for warning in outcome.warnings { printError("  WARNING: \(warning)") }
                if outcome.passed {
                    print("  SUCCESS")
                } else {
                    failed = true
                    printError("  FAILED:")
                    for failure in outcome.failures {
                        printError(failure)
                        print("")
                    }
                }
                print("")
            }
            if failed { throw ExitCode(1) }
        }
    }
}

private func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
