import TimeSeriesCore

/// The alerts of one alerting rule, carried from one evaluation to the next, evaluated as
/// Prometheus evaluates them (rules/alerting.go): a new series makes a pending alert; an alert
/// pending for the rule's `for` fires; a firing alert whose series went stays firing for
/// `keep_firing_for`, then resolves; a resolved alert is kept inactive for 15 minutes so the
/// notifier hears of it, and a pending one whose series went is dropped at once.
public struct AlertingRuleState: Sendable {
    public let rule: AlertingRule
    /// Alerts by their label set.
    public private(set) var active: [Labels: Alert] = [:]

    /// How long a resolved alert is kept to be sent as resolved, as Prometheus keeps it.
    public static let resolvedRetention: Int64 = 15 * 60_000

    public init(rule: AlertingRule) {
        self.rule = rule
    }

    /// What one evaluation wrote and whether it failed.
    public struct Round: Sendable, Equatable {
        /// `ALERTS{alertstate=...}` (1) and `ALERTS_FOR_STATE` (the time it became active, in
        /// seconds) for every pending or firing alert, at the evaluation time.
        public var samples: [VectorElement] = []
        /// Why the round failed (duplicate label sets, over the limit); the alerts are then as
        /// Prometheus leaves them.
        public var error: String?
    }

    /// Evaluates the rule's query result at `time`. `groupLabels` are the group's labels (the
    /// rule's win); `limit` caps pending and firing alerts (0: none); `expand` fills a label or
    /// annotation template from the series' labels and value.
    public mutating func evaluate(_ result: Vector, at time: Timestamp, groupLabels: [String: String] = [:], limit: Int = 0,
                                  expand: (_ template: String, _ labels: Labels, _ value: Double) -> String = { template, _, _ in template })
        -> Round {
        var round = Round()
        var current: [Labels: Alert] = [:]
        let ruleLabels = groupLabels.merging(rule.labels) { _, own in own }
        for element in result {
            var pairs = element.labels.dictionary
            pairs[metricNameLabel] = nil
            for (name, template) in ruleLabels { pairs[name] = expand(template, element.labels, element.value) }
            pairs["alertname"] = rule.alert
            let labels = Labels(pairs)
            guard current[labels] == nil else {
                round.error = "vector contains metrics with the same labelset after applying alert labels"
                return round
            }
            let annotations = rule.annotations.mapValues { expand($0, element.labels, element.value) }
            current[labels] = Alert(labels: labels, annotations: annotations, state: .pending, value: element.value, activeAt: time)
        }
        for (labels, alert) in current {
            if var existing = active[labels], existing.state != .inactive {
                existing.value = alert.value
                existing.annotations = alert.annotations
                active[labels] = existing
            } else {
                active[labels] = alert
            }
        }
        var pendingOrFiring = 0
        for (labels, var alert) in active {
            if current[labels] == nil {
                var keepFiring = false
                if alert.state == .firing && rule.keepFiringFor > 0 {
                    let since = alert.keepFiringSince ?? time
                    alert.keepFiringSince = since
                    keepFiring = time - since < rule.keepFiringFor
                }
                if alert.state == .pending || (alert.resolvedAt.map { time - $0 > Self.resolvedRetention } ?? false) {
                    active[labels] = nil
                    continue
                }
                if alert.state != .inactive && !keepFiring {
                    alert.state = .inactive
                    alert.resolvedAt = time
                }
                active[labels] = alert
                if !keepFiring { continue }
            } else {
                alert.keepFiringSince = nil
            }
            pendingOrFiring += 1
            if alert.state == .pending && time - alert.activeAt >= rule.holdDuration {
                alert.state = .firing
                alert.firedAt = time
            }
            active[labels] = alert
        }
        if limit > 0 && pendingOrFiring > limit {
            active = [:]
            round.error = "exceeded limit of \(limit) with \(pendingOrFiring) alerts"
            return round
        }
        for alert in active.values.sorted(by: { $0.labels < $1.labels }) where alert.state != .inactive {
            var series = alert.labels.dictionary
            series[metricNameLabel] = "ALERTS"
            series["alertstate"] = alert.state.rawValue
            round.samples.append(VectorElement(labels: Labels(series), timestamp: time, value: 1))
            series[metricNameLabel] = "ALERTS_FOR_STATE"
            series["alertstate"] = nil
            round.samples.append(VectorElement(labels: Labels(series), timestamp: time, value: Double(alert.activeAt / 1000)))
        }
        return round
    }

    /// The alerts to hand the notifier at `time`, marked as sent: firing ones not sent for
    /// `resendDelay`, and resolved ones not yet sent since they resolved. A firing alert is valid
    /// for four times the larger of the group's interval and the resend delay, as Prometheus sets
    /// its end time.
    public mutating func alertsToSend(at time: Timestamp, interval: Int64, resendDelay: Int64 = 60_000) -> [Alert] {
        var out: [Alert] = []
        for (labels, var alert) in active.sorted(by: { $0.key < $1.key }) {
            guard alert.state != .pending else { continue }
            let needsSending: Bool
            if alert.state == .inactive {
                needsSending = alert.resolvedAt.map { resolved in alert.lastSentAt.map { $0 < resolved } ?? true } ?? false
            } else {
                needsSending = alert.lastSentAt.map { $0 + resendDelay <= time } ?? true
            }
            guard needsSending else { continue }
            if alert.state == .firing { alert.validUntil = time + 4 * max(interval, resendDelay) }
            alert.lastSentAt = time
            active[labels] = alert
            out.append(alert)
        }
        return out
    }
}

extension AlertingRuleState {
    /// After a restart, gives the alerts back the pending time they had before, from the
    /// `ALERTS_FOR_STATE` samples written then (`saved`: by alert labels, the active time the sample
    /// holds and when it was written), as Prometheus does: an alert that was firing fires again at
    /// once; one with less than `gracePeriod` left waits the grace period; any other waits what it
    /// had left plus nothing for the time Surge was down. Rules whose `for` is shorter than the
    /// grace period are not restored.
    public mutating func restoreActiveTimes(at time: Timestamp, gracePeriod: Int64, saved: [Labels: (activeAt: Timestamp, savedAt: Timestamp)]) {
        guard rule.holdDuration >= gracePeriod else { return }
        for (labels, var alert) in active where alert.state != .inactive {
            guard let entry = saved[labels] else { continue }
            let spentPending = entry.savedAt - entry.activeAt
            let remaining = rule.holdDuration - spentPending
            if remaining <= 0 {
                alert.activeAt = entry.activeAt
            } else if remaining < gracePeriod {
                alert.activeAt = time + gracePeriod - rule.holdDuration
            } else {
                alert.activeAt = entry.activeAt + (time - entry.savedAt)
            }
            active[labels] = alert
        }
    }
}
