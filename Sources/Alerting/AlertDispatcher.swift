import TimeSeriesCore

/// One receiver's alerts in their groups, worked out without I/O: alerts come in, notifications
/// come out when their group's flush is due.
public struct AlertDispatcher: Sendable {
    public let options: GroupingOptions
    public private(set) var groups: [Labels: AlertGroupState] = [:]

    public init(options: GroupingOptions) {
        self.options = options
    }

    public mutating func receive(_ alerts: [NotifiedAlert], now: Timestamp) {
        for alert in alerts {
            let key = options.groupLabels(of: alert)
            var group = groups[key] ?? AlertGroupState(groupLabels: key, options: options, now: now)
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
            if groups[key]!.isEmpty { groups[key] = nil }
        }
        return out
    }
}
