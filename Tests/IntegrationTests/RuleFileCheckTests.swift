import Foundation
import PromQL
import Rules
import SurgeTestKit
import Testing

/// Surge and Debian's `promtool check rules` (Prometheus 2.42) accept and refuse the same rule files.
@Suite struct RuleFileCheckTests {
    static let files: [(name: String, text: String)] = [
        ("valid", """
            groups:
              - name: node
                interval: 30s
                rules:
                  - record: instance:node_cpu:rate5m
                    expr: sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))
                  - alert: NodeDown
                    expr: up{job="node"} == 0
                    for: 5m
                    labels: {severity: page}
                    annotations: {summary: "down"}
            """),
        ("empty", ""),
        ("no rules", "groups:\n  - name: a\n    rules: []\n"),
        ("record and alert", "groups:\n  - name: a\n    rules:\n      - record: x\n        alert: y\n        expr: up\n"),
        ("neither", "groups:\n  - name: a\n    rules:\n      - expr: up\n"),
        ("no expr", "groups:\n  - name: a\n    rules:\n      - record: x\n"),
        ("bad expr", "groups:\n  - name: a\n    rules:\n      - record: x\n        expr: sum(\n"),
        ("bad record name", "groups:\n  - name: a\n    rules:\n      - record: 'bad name'\n        expr: up\n"),
        ("for on a record", "groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n        for: 5m\n"),
        ("__name__ label", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        labels: {__name__: b}\n"),
        ("bad annotation name", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        annotations: {'a-b': c}\n"),
        ("bad duration", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        for: soon\n"),
        ("repeated group", "groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n"),
        ("empty group name", "groups:\n  - name: ''\n    rules: []\n"),
        ("unknown rule field", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        severity: page\n"),
        ("unknown top field", "rules: []\n"),
        ("bad template", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        annotations: {s: '{{ 1 - $value }}'}\n"),
        ("unclosed template", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        annotations: {s: '{{ if $value }}x'}\n"),
        ("unknown function", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        labels: {s: '{{ $value | shout }}'}\n"),
        ("good templates", "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        labels: {s: '{{ if gt $value 1.0 }}x{{ end }}'}\n        annotations: {q: '{{ with query \"up\" }}{{ . | first | value }}{{ end }}'}\n"),
        ("colon record", "groups:\n  - name: a\n    rules:\n      - record: ':leading:colon'\n        expr: up\n"),
    ]

    @Test func surgeAndPromtoolAgreeOnWhichFilesAreValid() async throws {
        guard let promtool = which("promtool") else { throw TestKitError("promtool is not installed; scripts/install-deps installs Debian's prometheus") }
        let dir = try TemporaryDirectory(prefix: "surge-rulecheck")
        defer { dir.remove() }
        var disagreements: [String] = []
        for (index, file) in Self.files.enumerated() {
            let path = dir.path + "/rules-\(index).yml"
            try file.text.write(toFile: path, atomically: true, encoding: .utf8)
            let promtoolAccepts = try runToCompletion(promtool, ["check", "rules", path]).status == 0
            let surgeAccepts = (try? RuleFile.load(path: path, validateQuery: Parser.problem(in:))) != nil
            if promtoolAccepts != surgeAccepts { disagreements.append("\(file.name): promtool \(promtoolAccepts), Surge \(surgeAccepts)") }
            // The command line says the same, in promtool's words and exit codes.
            let command = try await SurgeBinary.run(["rules", "check", path])
            #expect((command.status == 0) == promtoolAccepts, "\(file.name): \(command.output)")
            #expect(command.output.contains(promtoolAccepts ? "SUCCESS" : "FAILED"), "\(command.output)")
        }
        #expect(disagreements.isEmpty, "\(disagreements)")
    }
}
