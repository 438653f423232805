import Foundation
import SurgeTestKit
import Testing

/// `surge check` in promtool's words and exit codes, `surge --version`, and a bad configuration
/// refused by `surge serve` with its file:line and no usage text.
@Suite struct CheckCommandTests {
    @Test func checksConfigurationRuleAndPolicyFiles() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-check")
        defer { dir.remove() }
        let rules = dir.path + "/node.yml"
        try "groups:\n  - name: node\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let brokenRules = dir.path + "/broken.yml"
        try "groups:\n  - name: node\n    rules:\n      - record: x\n        expr: sum(\n".write(toFile: brokenRules, atomically: true, encoding: .utf8)
        let good = dir.path + "/surge.yaml"
        try "listen: 127.0.0.1:9090\nrule_files: [node.yml]\n".write(toFile: good, atomically: true, encoding: .utf8)
        let withBrokenRules = dir.path + "/broken-rules.yaml"
        try "rule_files: [node.yml, broken.yml]\n".write(toFile: withBrokenRules, atomically: true, encoding: .utf8)
        let unknownKey = dir.path + "/unknown.yaml"
        try "listen: 127.0.0.1:9090\nscrape_interval: 15s\n".write(toFile: unknownKey, atomically: true, encoding: .utf8)

        let ok = try await SurgeBinary.run(["check", "config", good])
        #expect(ok.status == 0 && ok.output.contains("SUCCESS: \(good) is valid") && ok.output.contains("SUCCESS: 1 rules found"), "\(ok.output)")
        let badRules = try await SurgeBinary.run(["check", "config", withBrokenRules])
        #expect(badRules.status == 1 && badRules.output.contains("FAILED") && badRules.output.contains("broken.yml:5"), "\(badRules.output)")
        let unknown = try await SurgeBinary.run(["check", "config", unknownKey])
        #expect(unknown.status == 1 && unknown.output.contains("\(unknownKey):2: unknown key \"scrape_interval\""), "\(unknown.output)")

        // `check rules` is `rules check`.
        let alias = try await SurgeBinary.run(["check", "rules", rules, brokenRules])
        let original = try await SurgeBinary.run(["rules", "check", rules, brokenRules])
        #expect(alias.status == 1 && alias.output == original.output && alias.status == original.status, "\(alias.output)")

        // Policies: the shipped ones pass; a broken one fails with its file and line.
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../rules/scaling").standardized.path
        let policies = try await SurgeBinary.run(["check", "policy", shipped + "/web-predictive.yaml", shipped + "/web-steps.yaml"])
        #expect(policies.status == 0 && policies.output.components(separatedBy: "SUCCESS: 1 policy found").count == 3, "\(policies.output)")
        let brokenPolicy = dir.path + "/policy.yaml"
        try "policies:\n  - name: web\n    target: {kind: Deployment, name: web}\n    maxReplicas: many\n".write(toFile: brokenPolicy, atomically: true, encoding: .utf8)
        let refused = try await SurgeBinary.run(["check", "policy", brokenPolicy])
        #expect(refused.status == 1 && refused.output.contains("FAILED") && refused.output.contains("policy.yaml:4"), "\(refused.output)")

        // `surge serve` with that configuration: the file:line message, no usage text.
        let serve = try await SurgeBinary.run(["serve", "--config", unknownKey, "--data-dir", dir.path + "/data"])
        #expect(serve.status != 0 && serve.output.contains("\(unknownKey):2:") && !serve.output.contains("USAGE"), "\(serve.output)")
    }

    @Test func printsItsVersion() async throws {
        let flag = try await SurgeBinary.run(["--version"])
        let command = try await SurgeBinary.run(["version"])
        #expect(flag.status == 0 && flag.output.hasPrefix("surge ") && flag.output == command.output, "\(flag.output) \(command.output)")
    }
}
