import Foundation
import TimeSeriesCore
import YAMLFiles
import Yams

/// A rule unit-test file in promtool's format: rule files, the evaluation interval, the order of
/// groups, and test groups of input series with the alerts and query results expected of them.
/// Fields are checked strictly, as promtool reads them; a problem names the file and line.
public struct RuleTestFile: Sendable, Equatable {
    public var path: String
    /// As written, relative to the test file's directory unless absolute; globs allowed.
    public var ruleFiles: [String] = []
    public var evaluationInterval: Int64 = 60_000
    public var groupEvalOrder: [String] = []
    public var tests: [TestGroup] = []

    public struct TestGroup: Sendable, Equatable {
        public var name = ""
        public var interval: Int64 = 0
        public var inputSeries: [InputSeries] = []
        public var alertTests: [AlertTest] = []
        public var exprTests: [ExprTest] = []
        public var externalLabels: [String: String] = [:]
        public var externalURL = ""
        public var line: Int?
    }

    public struct InputSeries: Sendable, Equatable {
        public var series: String
        public var values: String
        public var line: Int?
    }

    public struct AlertTest: Sendable, Equatable {
        public var evalTime: Int64
        public var alertname: String
        public var expected: [ExpectedAlert]
    }

    public struct ExpectedAlert: Sendable, Equatable {
        public var labels: [String: String]
        public var annotations: [String: String]
    }

    public struct ExprTest: Sendable, Equatable {
        public var expr: String
        public var evalTime: Int64
        public var expected: [ExpectedSample]
    }

    public struct ExpectedSample: Sendable, Equatable {
        public var labels: String
        public var value: Double

        public static func == (a: Self, b: Self) -> Bool { a.labels == b.labels && a.value.bitPattern == b.value.bitPattern }
    }

    public static func load(path: String) throws -> RuleTestFile {
        try parse(try YAMLReader.text(of: path, what: "the rule test file"), path: path)
    }

    public static func parse(_ text: String, path: String) throws -> RuleTestFile {
        let reader = YAMLReader(path: path)
        var file = RuleTestFile(path: path)
        guard let root = try reader.compose(text).first, root.scalar?.string.isEmpty != true else { return file }
        let top = try reader.mapping(root, "the test file", allowed: ["rule_files", "evaluation_interval", "group_eval_order", "tests"])
        if let node = top["rule_files"] { file.ruleFiles = try strings(node, "rule_files", reader) }
        if let node = top["evaluation_interval"] {
            let interval = try duration(node, "evaluation_interval", reader)
            if interval > 0 { file.evaluationInterval = interval }
        }
        if let node = top["group_eval_order"] {
            file.groupEvalOrder = try strings(node, "group_eval_order", reader)
            var seen: Set<String> = []
            for name in file.groupEvalOrder where !seen.insert(name).inserted {
                throw reader.fail(node, "group name repeated in evaluation order: \(name)")
            }
        }
        if let node = top["tests"], node.scalar?.string.isEmpty != true {
            file.tests = try reader.sequence(node, "tests").map { try testGroup($0, reader) }
        }
        return file
    }

    private static func testGroup(_ node: Node, _ reader: YAMLReader) throws -> TestGroup {
        let fields = try reader.mapping(node, "a test group", allowed: ["interval", "input_series", "alert_rule_test", "promql_expr_test",
                                                                         "external_labels", "external_url", "name"])
        var group = TestGroup(line: node.mark?.line)
        if let n = fields["name"] { group.name = n.scalar?.string ?? "" }
        if let n = fields["interval"] { group.interval = try duration(n, "interval", reader) }
        if let n = fields["external_url"] { group.externalURL = n.scalar?.string ?? "" }
        if let n = fields["external_labels"] { group.externalLabels = try stringMap(n, "external_labels", reader) }
        for n in try list(fields["input_series"], "input_series", reader) {
            let series = try reader.mapping(n, "an input series", allowed: ["series", "values"])
            group.inputSeries.append(InputSeries(series: series["series"]?.scalar?.string ?? "", values: series["values"]?.scalar?.string ?? "",
                                                 line: n.mark?.line))
        }
        for n in try list(fields["alert_rule_test"], "alert_rule_test", reader) {
            let test = try reader.mapping(n, "an alert test", allowed: ["eval_time", "alertname", "exp_alerts"])
            let expected = try list(test["exp_alerts"], "exp_alerts", reader).map { a in
                let alert = try reader.mapping(a, "an expected alert", allowed: ["exp_labels", "exp_annotations"])
                return ExpectedAlert(labels: try alert["exp_labels"].map { try stringMap($0, "exp_labels", reader) } ?? [:],
                                     annotations: try alert["exp_annotations"].map { try stringMap($0, "exp_annotations", reader) } ?? [:])
            }
            group.alertTests.append(AlertTest(evalTime: try test["eval_time"].map { try duration($0, "eval_time", reader) } ?? 0,
                                              alertname: test["alertname"]?.scalar?.string ?? "", expected: expected))
        }
        for n in try list(fields["promql_expr_test"], "promql_expr_test", reader) {
            let test = try reader.mapping(n, "a PromQL test", allowed: ["expr", "eval_time", "exp_samples"])
            let expected = try list(test["exp_samples"], "exp_samples", reader).map { s in
                let sample = try reader.mapping(s, "an expected sample", allowed: ["labels", "value"])
                return ExpectedSample(labels: sample["labels"]?.scalar?.string ?? "", value: try sample["value"].map { try number($0, reader) } ?? 0)
            }
            group.exprTests.append(ExprTest(expr: test["expr"]?.scalar?.string ?? "",
                                            evalTime: try test["eval_time"].map { try duration($0, "eval_time", reader) } ?? 0, expected: expected))
        }
        return group
    }

    private static func list(_ node: Node?, _ what: String, _ reader: YAMLReader) throws -> [Node] {
        guard let node, !(node.scalar.map { $0.string.isEmpty || $0.string == "null" || $0.string == "~" } ?? false) else { return [] }
        return try reader.sequence(node, what)
    }

    private static func strings(_ node: Node, _ what: String, _ reader: YAMLReader) throws -> [String] {
        try list(node, what, reader).map { item in
            guard let text = item.scalar?.string else { throw reader.fail(item, "\(what) must be a list of strings") }
            return text
        }
    }

    private static func stringMap(_ node: Node, _ what: String, _ reader: YAMLReader) throws -> [String: String] {
        if node.scalar.map({ $0.string.isEmpty || $0.string == "null" }) == true { return [:] }
        guard let map = node.mapping else { throw reader.fail(node, "\(what) must be a mapping") }
        var out: [String: String] = [:]
        for (key, value) in map {
            guard let name = key.string, let text = value.scalar?.string else { throw reader.fail(key, "\(what) must map names to strings") }
            out[name] = text
        }
        return out
    }

    /// A duration as Prometheus' model reads one (`1m`, `1h30m`, `0`).
    private static func duration(_ node: Node, _ what: String, _ reader: YAMLReader) throws -> Int64 {
        guard let text = node.scalar?.string else { throw reader.fail(node, "\(what) must be a duration such as 1m") }
        if text == "0" { return 0 }
        guard let value = parseDuration(text) else { throw reader.fail(node, "\(what): not a valid duration string: \"\(text)\"") }
        return value
    }

    /// A float as YAML writes one, `.inf` and `.nan` included.
    private static func number(_ node: Node, _ reader: YAMLReader) throws -> Double {
        guard let text = node.scalar?.string else { throw reader.fail(node, "value must be a number") }
        switch text.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default:
            guard let value = Double(text) else { throw reader.fail(node, "value must be a number, not \"\(text)\"") }
            return value
        }
    }
}
