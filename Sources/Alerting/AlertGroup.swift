import TimeSeriesCore

/// How a receiver's alerts are grouped into notifications, as in an Alertmanager route.
public struct GroupingOptions: Sendable, Equatable {
    /// Labels that make a group; nil groups by every label (`group_by: ['...']`).
    public var groupBy: [String]?
    public var groupWait: Int64 = 30_000
    public var groupInterval: Int64 = 300_000
    public var repeatInterval: Int64 = 4 * 3_600_000
    public var sendResolved = true

    public init(groupBy: [String]? = [], groupWait: Int64 = 30_000, groupInterval: Int64 = 300_000, repeatInterval: Int64 = 4 * 3_600_000,
                sendResolved: Bool = true) {
        self.groupBy = groupBy
        self.groupWait = groupWait
        self.groupInterval = groupInterval
        self.repeatInterval = repeatInterval
        self.sendResolved = sendResolved
    }

    /// The group an alert belongs to: its values of the grouping labels.
    public func groupLabels(of alert: NotifiedAlert) -> Labels {
        guard let groupBy else { return alert.labels }
        return Labels(groupBy.compactMap { name in alert.labels[name].map { Label(name, $0) } })
    }
}

/// One notification: a group's alerts at the time it was flushed.
public struct AlertNotification: Sendable, Equatable {
    public var groupLabels: Labels
    public var alerts: [NotifiedAlert]
    public var time: Timestamp

    public init(groupLabels: Labels, alerts: [NotifiedAlert], time: Timestamp) {
        self.groupLabels = groupLabels
        self.alerts = alerts
        self.time = time
    }

    public func firing() -> [NotifiedAlert] { alerts.filter { !$0.isResolved(at: time) } }
}

/// One group of alerts between flushes, as Alertmanager's aggregation group and its dedup stage
/// treat it: the first flush waits `group_wait` (at once for an alert that started longer ago than
/// that), later ones come every `group_interval` and notify only when the firing set changed, a
/// resolved alert was not yet notified, or `repeat_interval` passed. Resolved alerts leave the
/// group once a notification carried them.
public struct AlertGroupState: Sendable, Equatable {
    public let groupLabels: Labels
    public let options: GroupingOptions
    public private(set) var alerts: [UInt64: NotifiedAlert] = [:]
    public private(set) var nextFlush: Timestamp
    private var hasFlushed = false
    /// What the last notification carried, as Alertmanager's notification log keeps it; kept on
    /// disk by the notifier so a restart does not send it again.
    public internal(set) var lastNotified: NotificationLogEntry?

    public static func == (a: AlertGroupState, b: AlertGroupState) -> Bool {
        a.groupLabels == b.groupLabels && a.alerts == b.alerts && a.nextFlush == b.nextFlush && a.hasFlushed == b.hasFlushed
    }

    public init(groupLabels: Labels, options: GroupingOptions, now: Timestamp, lastNotified: NotificationLogEntry? = nil) {
        self.groupLabels = groupLabels
        self.options = options
        self.lastNotified = lastNotified
        nextFlush = now + options.groupWait
    }

    public mutating func insert(_ alert: NotifiedAlert, now: Timestamp) {
        alerts[alert.fingerprint] = alert
        if !hasFlushed && alert.startsAt + options.groupWait < now { nextFlush = min(nextFlush, now) }
    }

    public var isEmpty: Bool { alerts.isEmpty }

    /// At `nextFlush`: the notification to send, if one is needed; the next flush is a group
    /// interval away.
    public mutating func flush(now: Timestamp) -> AlertNotification? {
        hasFlushed = true
        nextFlush = now + options.groupInterval
        guard !alerts.isEmpty else { return nil }
        let ordered = alerts.values.sorted { $0.labels < $1.labels }
        let firing = Set(ordered.filter { !$0.isResolved(at: now) }.map(\.fingerprint))
        let resolved = Set(ordered.filter { $0.isResolved(at: now) }.map(\.fingerprint))
        let needed: Bool
        if let last = lastNotified {
            if !firing.isSubset(of: last.firing) {
                needed = true
            } else if firing.isEmpty {
                needed = !last.firing.isEmpty
            } else if options.sendResolved && !resolved.isSubset(of: last.resolved) {
                needed = true
            } else {
                needed = last.at + options.repeatInterval <= now
            }
        } else {
            needed = !firing.isEmpty
        }
        // Resolved alerts a notification carried (or that nothing needs to carry) leave the group.
        for fingerprint in resolved { alerts[fingerprint] = nil }
        guard needed else { return nil }
        lastNotified = NotificationLogEntry(firing: firing, resolved: resolved, at: now)
        let sent = options.sendResolved ? ordered : ordered.filter { !$0.isResolved(at: now) }
        return sent.isEmpty ? nil : AlertNotification(groupLabels: groupLabels, alerts: sent, time: now)
    }
}

/// A group's last notification: the fingerprints of the firing and resolved alerts it carried.
public struct NotificationLogEntry: Sendable, Equatable, Codable {
    public var firing: Set<UInt64>
    public var resolved: Set<UInt64>
    public var at: Timestamp
}
