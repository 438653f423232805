import TimeSeriesCore

/// A group of a rule file: its rules run in order, each round at one evaluation time.
public struct RuleGroup: Sendable, Equatable {
    public var name: String
    /// The file the group came from.
    public var file: String
    /// Milliseconds between evaluations; nil takes the global evaluation interval.
    public var interval: Int64?
    /// Milliseconds the evaluation time is moved back, for data that arrives late; nil takes the global one.
    public var queryOffset: Int64?
    /// Alerts (or series) a rule may produce; 0 is no limit.
    public var limit = 0
    /// Labels added to every rule's output (a rule's own labels win).
    public var labels: [String: String] = [:]
    public var rules: [Rule] = []

    public init(name: String, file: String, rules: [Rule] = []) {
        self.name = name
        self.file = file
        self.rules = rules
    }
}

public enum Rule: Sendable, Equatable {
    case recording(RecordingRule)
    case alerting(AlertingRule)

    /// The record or alert name.
    public var name: String {
        switch self {
        case .recording(let rule): rule.record
        case .alerting(let rule): rule.alert
        }
    }

    public var expr: String {
        switch self {
        case .recording(let rule): rule.expr
        case .alerting(let rule): rule.expr
        }
    }
}

/// `record: NAME`: the expression's result is written back as series named NAME.
public struct RecordingRule: Sendable, Equatable {
    public var record: String
    public var expr: String
    public var labels: [String: String] = [:]
    /// Where the rule starts in its file.
    public var line: Int?

    public init(record: String, expr: String, labels: [String: String] = [:], line: Int? = nil) {
        self.record = record
        self.expr = expr
        self.labels = labels
        self.line = line
    }
}

/// `alert: NAME`: every series of the expression's result is an alert, pending until it has been
/// there for `holdDuration` (`for`), then firing; firing alerts stay for `keepFiringFor` after
/// their series goes.
public struct AlertingRule: Sendable, Equatable {
    public var alert: String
    public var expr: String
    /// `for`, in milliseconds.
    public var holdDuration: Int64 = 0
    /// `keep_firing_for`, in milliseconds.
    public var keepFiringFor: Int64 = 0
    public var labels: [String: String] = [:]
    public var annotations: [String: String] = [:]
    public var line: Int?

    public init(alert: String, expr: String, holdDuration: Int64 = 0, keepFiringFor: Int64 = 0,
                labels: [String: String] = [:], annotations: [String: String] = [:], line: Int? = nil) {
        self.alert = alert
        self.expr = expr
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
        self.labels = labels
        self.annotations = annotations
        self.line = line
    }
}
