import TimeSeriesCore

/// One receiver's alerts in their groups, worked out without I/O: alerts come in, notifications
/// come out when their group's flush is due.
public struct AlertDispatcher: Sendable {
    public let options: GroupingOptions
    public private(set) var groups: [Labels: AlertGroupState] = [:]
    /// Last notifications of groups that do not exist now (read back after a restart), by group.
    public private(set) var log: [Labels: NotificationLogEntry]

    public init(options: GroupingOptions, log: [Labels: NotificationLogEntry] = [:]) {
        self.options = options
        self.log = log
    }

    public mutating func receive(_ alerts: [NotifiedAlert], now: Timestamp) {
        for alert in alerts {
            let key = options.groupLabels(of: alert)
            var group = groups[key] ?? AlertGroupState(groupLabels: key, options: options, now: now, lastNotified: log[key])
            group.insert(alert, now: now)
            groups[key] = group
        }
    }

    /// When the next group flushes, if any group exists.
    public var nextDeadline: Timestamp? { groups.values.map(\.nextFlush).min() }

    /// The notifications of every group due at `now`; groups left empty go.
    public mutating func due(now: Timestamp) -> [AlertNotification] {
        var out: [AlertNotification] = []
        for key in groups.keys.sorted() where groups[key]!.nextFlush <= now {
            if let notification = groups[key]!.flush(now: now) { out.append(notification) }
            log[key] = groups[key]!.lastNotified
            if groups[key]!.isEmpty { groups[key] = nil }
        }
        return out
    }
}
