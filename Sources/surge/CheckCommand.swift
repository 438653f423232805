import App
import ArgumentParser
import Foundation
import Rules
import ScalingRuntime

/// `surge check`, as `promtool check`: each file is reported with SUCCESS or FAILED and its
/// problems at file:line; the command exits 1 when any file fails.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check configuration, rule and scaling policy files, as promtool check does.",
        subcommands: [Config.self, Rules.self, Policy.self])

    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check Surge configuration files and the rule and policy files they name.")

        @Argument(help: "Configuration files.")
        var files: [String]

        func run() async throws {
            var failed = false
            for file in files {
                print("Checking \(file)")
                do {
                    let configuration = try ConfigurationFile.load(path: file)
                    print("  SUCCESS: \(file) is valid configuration file syntax")
                    if !configuration.ruleFiles.isEmpty {
                        print("")
                        failed = !checkRuleFiles(configuration.ruleFiles) || failed
                    }
                    if !configuration.scalingPolicyFiles.isEmpty {
                        print("")
                        failed = !checkPolicyFiles(configuration.scalingPolicyFiles) || failed
                    }
                } catch {
                    failed = true
                    print("  FAILED: \(error)")
                }
                print("")
            }
            if failed { throw ExitCode(1) }
        }
    }

    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check rule files, as `surge rules check` and `promtool check rules`.")

        @Argument(help: "Rule files.")
        var files: [String]

        func run() async throws {
            if !checkRuleFiles(files) { throw ExitCode(1) }
        }
    }

    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check scaling policy files.")

        @Argument(help: "Policy files, directories or globs.")
        var files: [String]

        func run() async throws {
            if !checkPolicyFiles(files) { throw ExitCode(1) }
        }
    }
}

/// Checks files in promtool's words (`Checking F`, `SUCCESS: N things found` or `FAILED:` and the
/// problem); false when one fails. `count` loads a file and says what it found.
func checkFiles(_ files: [String], count: (String) throws -> String) -> Bool {
    var passed = true
    for file in files {
        print("Checking \(file)")
        do {
            print("  SUCCESS: \(try count(file)) found")
        } catch {
            passed = false
            print("  FAILED:")
            print("\(error)")
        }
        print("")
    }
    return passed
}

/// Checks rule files (paths or globs); false when one fails.
func checkRuleFiles(_ files: [String]) -> Bool {
    checkFiles(files) { file in "\(try RuleFiles.load(patterns: [file]).reduce(0) { $0 + $1.rules.count }) rules" }
}

/// Checks scaling policy files (paths, directories or globs); false when one fails.
func checkPolicyFiles(_ files: [String]) -> Bool {
    checkFiles(files) { file in
        let count = try PolicyLoader.load(patterns: [file]).count
        return "\(count) \(count == 1 ? "policy" : "policies")"
    }
}
