import TimeSeriesCore
import YAMLFiles
import Yams

/// Reads a Prometheus rule file (`groups:` of recording and alerting rules) and validates it as
/// promtool does; every problem names the file and line, and a rule's problems name its group,
/// its position and its name as promtool's do.
public enum RuleFile {
    /// `validateQuery` returns the parse error of an expression, or nil; the PromQL parser is
    /// injected so that this target stays free of the engine.
    public static func parse(_ text: String, path: String, validateQuery: (String) -> String? = { _ in nil }) throws -> [RuleGroup] {
        let reader = YAMLReader(path: path)
        guard let root = try reader.compose(text).first, root.scalar?.string.isEmpty != true else { return [] }
        let top = try reader.mapping(root, "the rule file", allowed: ["groups"])
        guard let groupsNode = top["groups"], groupsNode.scalar?.string.isEmpty != true else { return [] }
        var groups: [RuleGroup] = []
        var seen: Set<String> = []
        for groupNode in try reader.sequence(groupsNode, "groups") {
            let group = try readGroup(groupNode, reader: reader, path: path, validateQuery: validateQuery)
            guard seen.insert(group.name).inserted else {
                throw reader.fail(groupNode, "groupname: \"\(group.name)\" is repeated in the same file")
            }
            groups.append(group)
        }
        return groups
    }

    public static func load(path: String, validateQuery: (String) -> String? = { _ in nil }) throws -> [RuleGroup] {
        try parse(try YAMLReader.text(of: path, what: "the rule file"), path: path, validateQuery: validateQuery)
    }

    private static func readGroup(_ node: Node, reader: YAMLReader, path: String, validateQuery: (String) -> String?) throws -> RuleGroup {
        let fields = try reader.mapping(node, "a group", allowed: ["name", "interval", "query_offset", "limit", "labels", "rules"])
        guard let name = fields["name"]?.string, !name.isEmpty else { throw reader.fail(fields["name"] ?? node, "Groupname must not be empty") }
        var group = RuleGroup(name: name, file: path)
        if let n = fields["interval"] { group.interval = try duration(n, "interval", reader: reader, positive: true) }
        if let n = fields["query_offset"] { group.queryOffset = try duration(n, "query_offset", reader: reader, positive: false) }
        if let n = fields["limit"] { group.limit = try reader.int(n, "limit", minimum: 0) }
        if let n = fields["labels"] { group.labels = try labels(n, "group \"\(name)\": labels", reader: reader) }
        guard let rulesNode = fields["rules"], rulesNode.scalar?.string.isEmpty != true else { return group }
        for (index, ruleNode) in try reader.sequence(rulesNode, "rules").enumerated() {
            group.rules.append(try readRule(ruleNode, group: name, index: index + 1, reader: reader, validateQuery: validateQuery))
        }
        return group
    }

    private static func readRule(_ node: Node, group: String, index: Int, reader: YAMLReader,
                                 validateQuery: (String) -> String?) throws -> Rule {
        let fields = try reader.mapping(node, "a rule", allowed: ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"])
        let record = fields["record"]?.string
        let alert = fields["alert"]?.string
        let ruleName = record ?? alert ?? ""
        func fail(_ at: Node?, _ message: String) -> FileError {
            reader.fail(at ?? node, "group \"\(group)\", rule \(index), \"\(ruleName)\": \(message)")
        }
        switch (record?.isEmpty == false, alert?.isEmpty == false) {
        case (true, true): throw fail(fields["alert"], "only one of 'record' and 'alert' must be set")
        case (false, false): throw fail(nil, "one of 'record' or 'alert' must be set")
        default: break
        }
        guard let exprNode = fields["expr"], let expr = exprNode.scalar?.string, !expr.isEmpty else {
            throw fail(fields["expr"], "field 'expr' must be set in rule")
        }
        if let problem = validateQuery(expr) { throw fail(exprNode, "could not parse expression: \(problem)") }
        let labelMap = try fields["labels"].map { try labels($0, "group \"\(group)\", rule \(index), \"\(ruleName)\": labels", reader: reader) } ?? [:]
        if let record {
            for key in ["annotations", "for", "keep_firing_for"] where fields[key] != nil {
                throw fail(fields[key], "invalid field '\(key)' in recording rule")
            }
            guard isValidMetricName(record) else { throw fail(fields["record"], "invalid recording rule name: \(record)") }
            return .recording(RecordingRule(record: record, expr: expr, labels: labelMap, line: node.mark.map { $0.line }))
        }
        var rule = AlertingRule(alert: alert!, expr: expr, labels: labelMap, line: node.mark.map { $0.line })
        if let n = fields["for"] { rule.holdDuration = try duration(n, "for", reader: reader, positive: false) }
        if let n = fields["keep_firing_for"] { rule.keepFiringFor = try duration(n, "keep_firing_for", reader: reader, positive: false) }
        if let n = fields["annotations"] {
            guard let map = n.mapping else { throw fail(n, "annotations must be a mapping") }
            for (key, value) in map {
                guard let name = key.string, isValidLabelName(name) else { throw fail(key, "invalid annotation name: \(key.string ?? "")") }
                guard let text = value.scalar?.string else { throw fail(value, "annotation \(name) must be a string") }
                rule.annotations[name] = text
            }
        }
        // Templates are checked as promtool checks them: parsed, with every function defined.
        for (kind, templates) in [("label", rule.labels), ("annotation", rule.annotations)] {
            for (name, text) in templates.sorted(by: { $0.key < $1.key }) {
                if let problem = Template.problem(in: text) {
                    let at = (fields[kind + "s"]?.mapping?.first { $0.key.string == name })?.value
                    throw fail(at, "\(kind) \"\(name)\": template: __alert_\(rule.alert):1: \(problem)")
                }
            }
        }
        return .alerting(rule)
    }

    private static func labels(_ node: Node, _ what: String, reader: YAMLReader) throws -> [String: String] {
        guard let map = node.mapping else { throw reader.fail(node, "\(what) must be a mapping") }
        var out: [String: String] = [:]
        for (key, value) in map {
            guard let name = key.string, isValidLabelName(name), name != metricNameLabel else {
                throw reader.fail(key, "\(what): invalid label name: \(key.string ?? "")")
            }
            guard let text = value.scalar?.string else { throw reader.fail(value, "\(what): label \(name) must be a string") }
            out[name] = text
        }
        return out
    }

    private static func duration(_ node: Node, _ what: String, reader: YAMLReader, positive: Bool) throws -> Int64 {
        guard let text = node.scalar?.string else { throw reader.fail(node, "\(what) must be a duration such as 1m") }
        if text == "0" && !positive { return 0 }
        guard let value = parseDuration(text), positive ? value > 0 : value >= 0 else {
            throw reader.fail(node, "\(what) must be a duration such as 1m, not \"\(text)\"")
        }
        return value
    }
}
