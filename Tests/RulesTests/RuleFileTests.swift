import PromQL
import Rules
import Testing
import YAMLFiles

/// Rule files in Prometheus' format: what they hold, and mistakes named with file and line as
/// promtool names them.
@Suite struct RuleFileTests {
    static func check(_ query: String) -> String? { Parser.problem(in: query) }

    @Test func aRuleFileLoadsWithItsGroupsAndRules() throws {
        let text = """
            groups:
              - name: node
                interval: 30s
                query_offset: 1m
                limit: 10
                labels: {team: infra}
                rules:
                  - record: instance:node_cpu:rate5m
                    expr: sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))
                  - alert: NodeDown
                    expr: up{job="node"} == 0
                    for: 5m
                    keep_firing_for: 2m
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $labels.instance }} is down"
              - name: empty
                rules: []
            """
        let groups = try RuleFile.parse(text, path: "node.rules.yml", validateQuery: Self.check)
        #expect(groups.map(\.name) == ["node", "empty"])
        let node = groups[0]
        #expect(node.interval == 30_000 && node.queryOffset == 60_000 && node.limit == 10 && node.labels == ["team": "infra"])
        #expect(node.rules.map(\.name) == ["instance:node_cpu:rate5m", "NodeDown"])
        guard case .alerting(let alert) = node.rules[1] else { Issue.record("not an alerting rule"); return }
        #expect(alert.holdDuration == 300_000 && alert.keepFiringFor == 120_000)
        #expect(alert.labels == ["severity": "page"] && alert.annotations["summary"] == "{{ $labels.instance }} is down")
        #expect(try RuleFile.parse("", path: "empty.yml").isEmpty)
        #expect(try RuleFile.parse("groups:\n", path: "empty.yml").isEmpty)
    }

    @Test(arguments: [
        ("groups:\n  - name: a\n    rules:\n      - record: x\n        alert: y\n        expr: up\n", 5, "only one of 'record' and 'alert' must be set"),
        ("groups:\n  - name: a\n    rules:\n      - expr: up\n", 4, "one of 'record' or 'alert' must be set"),
        ("groups:\n  - name: a\n    rules:\n      - record: x\n", 4, "field 'expr' must be set in rule"),
        ("groups:\n  - name: a\n    rules:\n      - record: x\n        expr: sum(\n", 5, "group \"a\", rule 1, \"x\": could not parse expression"),
        ("groups:\n  - name: a\n    rules:\n      - record: 'bad name'\n        expr: up\n", 4, "invalid recording rule name: bad name"),
        ("groups:\n  - name: a\n    rules:\n      - record: x\n        expr: up\n        for: 5m\n", 6, "invalid field 'for' in recording rule"),
        ("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        labels: {__name__: b}\n", 6, "invalid label name: __name__"),
        ("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        annotations: {'a-b': c}\n", 6, "invalid annotation name: a-b"),
        ("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        for: soon\n", 6, "for must be a duration"),
        ("groups:\n  - name: a\n    rules: []\n  - name: a\n    rules: []\n", 4, "groupname: \"a\" is repeated in the same file"),
        ("groups:\n  - name: ''\n    rules: []\n", 2, "Groupname must not be empty"),
        ("groups:\n  - name: a\n    interval: 0s\n    rules: []\n", 3, "interval must be a duration"),
        ("groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n        severity: page\n", 6, "unknown field \"severity\""),
        ("rules: []\n", 1, "unknown field \"rules\""),
    ])
    func mistakesAreNamedWithFileAndLine(text: String, line: Int, message: String) {
        #expect {
            _ = try RuleFile.parse(text, path: "rules.yml", validateQuery: Self.check)
        } throws: { error in
            guard let error = error as? FileError else { return false }
            return error.path == "rules.yml" && error.line == line && error.message.contains(message)
        }
    }
}
