import TimeSeriesCore

/// One rule group as `/api/v1/rules` shows it.
public struct RuleGroupView: Sendable {
    public var name: String
    public var file: String
    /// Seconds between evaluations.
    public var interval: Double
    public var limit: Int
    public var rules: [RuleView]
    /// Seconds the last round took.
    public var evaluationTime: Double
    public var lastEvaluation: Timestamp?

    public init(name: String, file: String, interval: Double, limit: Int, rules: [RuleView], evaluationTime: Double, lastEvaluation: Timestamp?) {
        self.name = name
        self.file = file
        self.interval = interval
        self.limit = limit
        self.rules = rules
        self.evaluationTime = evaluationTime
        self.lastEvaluation = lastEvaluation
    }
}

public struct RuleView: Sendable {
    public enum Kind: String, Sendable { case alerting, recording }
    public var kind: Kind
    public var name: String
    public var query: String
    /// `for` and `keep_firing_for`, in seconds (alerting rules).
    public var duration: Double = 0
    public var keepFiringFor: Double = 0
    public var labels: [String: String]
    public var annotations: [String: String] = [:]
    public var alerts: [AlertView] = []
    /// "ok", "err", or "unknown" before the first evaluation.
    public var health: String
    public var lastError: String
    public var evaluationTime: Double
    public var lastEvaluation: Timestamp?

    public init(kind: Kind, name: String, query: String, labels: [String: String], health: String, lastError: String,
                evaluationTime: Double, lastEvaluation: Timestamp?) {
        self.kind = kind
        self.name = name
        self.query = query
        self.labels = labels
        self.health = health
        self.lastError = lastError
        self.evaluationTime = evaluationTime
        self.lastEvaluation = lastEvaluation
    }

    /// The rule's state: its most advanced alert's.
    var state: String {
        alerts.contains { $0.state == "firing" } ? "firing" : alerts.contains { $0.state == "pending" } ? "pending" : "inactive"
    }
}

public struct AlertView: Sendable {
    public var labels: [String: String]
    public var annotations: [String: String]
    /// "pending" or "firing".
    public var state: String
    public var activeAt: Timestamp
    public var value: Double
    public var keepFiringSince: Timestamp?

    public init(labels: [String: String], annotations: [String: String], state: String, activeAt: Timestamp, value: Double, keepFiringSince: Timestamp?) {
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.activeAt = activeAt
        self.value = value
        self.keepFiringSince = keepFiringSince
    }
}

/// `GET /api/v1/rules` and `GET /api/v1/alerts` in Prometheus' shapes, with the rules API's `type`,
/// `rule_name[]`, `rule_group[]` and `file[]` filters; a group left with no rule is left out.
struct RulesAPI: Sendable {
    let groups: @Sendable () -> [RuleGroupView]

    func rules(_ parameters: FormParameters) throws -> String {
        let type = parameters.first("type")?.lowercased() ?? ""
        guard ["", "alert", "record"].contains(type) else { throw APIError(.badData, "unsupported type \(jsonQuoted(type))") }
        let names = Set(parameters.all("rule_name[]")), groupNames = Set(parameters.all("rule_group[]")), files = Set(parameters.all("file[]"))
        var json = JSONWriter()
        json.raw("{\"groups\":[")
        var first = true
        for group in groups() where (groupNames.isEmpty || groupNames.contains(group.name)) && (files.isEmpty || files.contains(group.file)) {
            let rules = group.rules.filter { rule in
                (type.isEmpty || (type == "alert") == (rule.kind == .alerting)) && (names.isEmpty || names.contains(rule.name))
            }
            if rules.isEmpty && !(names.isEmpty && type.isEmpty) { continue }
            if !first { json.raw(",") }
            first = false
            json.raw("{\"name\":")
            json.string(group.name)
            json.raw(",\"file\":")
            json.string(group.file)
            json.raw(",\"rules\":[")
            for (index, rule) in rules.enumerated() {
                if index > 0 { json.raw(",") }
                Self.encode(rule, into: &json)
            }
            json.raw("],\"interval\":" + formatSampleValue(group.interval) + ",\"limit\":\(group.limit),\"evaluationTime\":"
                     + formatSampleValue(group.evaluationTime) + ",\"lastEvaluation\":")
            json.string(goTime(group.lastEvaluation))
            json.raw("}")
        }
        json.raw("]}")
        return json.text
    }

    func alerts(_ parameters: FormParameters) throws -> String {
        var json = JSONWriter()
        json.raw("{\"alerts\":[")
        var first = true
        for group in groups() {
            for rule in group.rules {
                for alert in rule.alerts {
                    if !first { json.raw(",") }
                    first = false
                    Self.encode(alert, into: &json)
                }
            }
        }
        json.raw("]}")
        return json.text
    }

    private static func encode(_ rule: RuleView, into json: inout JSONWriter) {
        json.raw("{")
        if rule.kind == .alerting {
            json.raw("\"state\":")
            json.string(rule.state)
            json.raw(",")
        }
        json.raw("\"name\":")
        json.string(rule.name)
        json.raw(",\"query\":")
        json.string(rule.query)
        if rule.kind == .alerting {
            json.raw(",\"duration\":" + formatSampleValue(rule.duration) + ",\"keepFiringFor\":" + formatSampleValue(rule.keepFiringFor))
        }
        json.raw(",\"labels\":")
        json.object(rule.labels)
        if rule.kind == .alerting {
            json.raw(",\"annotations\":")
            json.object(rule.annotations)
            json.raw(",\"alerts\":[")
            for (index, alert) in rule.alerts.enumerated() {
                if index > 0 { json.raw(",") }
                encode(alert, into: &json)
            }
            json.raw("]")
        }
        json.raw(",\"health\":")
        json.string(rule.health)
        if !rule.lastError.isEmpty {
            json.raw(",\"lastError\":")
            json.string(rule.lastError)
        }
        json.raw(",\"evaluationTime\":" + formatSampleValue(rule.evaluationTime) + ",\"lastEvaluation\":")
        json.string(goTime(rule.lastEvaluation))
        json.raw(",\"type\":")
        json.string(rule.kind.rawValue)
        json.raw("}")
    }

    private static func encode(_ alert: AlertView, into json: inout JSONWriter) {
        json.raw("{\"labels\":")
        json.object(alert.labels)
        json.raw(",\"annotations\":")
        json.object(alert.annotations)
        json.raw(",\"state\":")
        json.string(alert.state)
        json.raw(",\"activeAt\":")
        json.string(goTime(alert.activeAt))
        if let since = alert.keepFiringSince {
            json.raw(",\"keepFiringSince\":")
            json.string(goTime(since))
        }
        json.raw(",\"value\":")
        json.string(Self.goFloat(alert.value))
        json.raw("}")
    }

    /// Go's `strconv.FormatFloat(v, 'e', -1, 64)`, which the alerts' values are shown in.
    static func goFloat(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == 0 { return value.sign == .minus ? "-0e+00" : "0e+00" }
        let (negative, digits, exponent) = shortestDecimalDigits(value)
        return goExponentForm(negative: negative, digits: digits, exponent: exponent)
    }
}
