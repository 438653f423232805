import TimeSeriesCore

public enum AlertState: String, Sendable, Equatable {
    case inactive, pending, firing
}

/// One alert of an alerting rule: the rule's name, its labels and one result series' labels.
public struct Alert: Sendable, Equatable {
    /// Series labels without the metric name, the rule's (and group's) labels, and `alertname`.
    public var labels: Labels
    public var annotations: [String: String]
    public var state: AlertState
    /// The expression's value at the last evaluation that had the alert's series.
    public var value: Double
    /// When the alert became pending.
    public var activeAt: Timestamp
    public var firedAt: Timestamp?
    /// When the alert stopped; a resolved alert is kept (inactive) for a while so the notifier
    /// hears that it resolved.
    public var resolvedAt: Timestamp?
    public var lastSentAt: Timestamp?
    /// The end time the notifier was last given for a firing alert.
    public var validUntil: Timestamp?
    /// When the alert's series went while `keep_firing_for` holds it firing.
    public var keepFiringSince: Timestamp?

    public init(labels: Labels, annotations: [String: String], state: AlertState, value: Double, activeAt: Timestamp) {
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.value = value
        self.activeAt = activeAt
    }

    /// When Alertmanager should consider the alert over: the resolve time, or the validity of the
    /// last firing notification.
    public var endsAt: Timestamp? { state == .inactive ? resolvedAt : validUntil }
}
