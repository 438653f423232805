import TimeSeriesCore

/// What started a decision: the policy's interval (a sync, with the workload read afresh) or a
/// sample of its metrics arriving in storage.
public enum DecisionTrigger: String, Sendable, Equatable {
    case interval, arrival
}

/// When one policy reads its workload and decides, worked out without I/O. A sync (read the
/// workload, then decide) is due every interval from the previous one. Between syncs, a sample of
/// one of the policy's metrics arriving triggers a decision at once on the workload as last read;
/// with no workload (the last read failed) an arrival waits for the next sync. Every event carries
/// the clock's reading, so a late wake-up or an arrival after the due time starts the sync.
public struct ScalingLoop: Sendable, Equatable {
    public enum Event: Sendable, Equatable {
        /// The loop starts.
        case start
        /// The workload was read (or could not be).
        case workloadRead(succeeded: Bool)
        /// A decision was made and published.
        case decided
        /// A watched series received a sample.
        case arrival
        /// The time the loop slept until came.
        case wake
    }

    public enum Action: Sendable, Equatable {
        /// Read the workload: the start of a sync.
        case readWorkload
        case decide(DecisionTrigger)
        /// Wait until the time, or an arrival, whichever comes first.
        case sleep(until: Timestamp)
    }

    /// Milliseconds between syncs.
    public let interval: Int64
    /// When the current sync started; the next is due an interval later.
    public private(set) var syncedAt: Timestamp?
    /// Whether the last sync read the workload, so an arrival can be decided on.
    public private(set) var hasWorkload = false

    public init(interval: Int64) {
        self.interval = max(interval, 1)
    }

    public var nextSync: Timestamp? { syncedAt.map { $0 + interval } }

    public mutating func next(_ event: Event, now: Timestamp) -> Action {
        switch event {
        case .start:
            return sync(now)
        case .workloadRead(let succeeded):
            hasWorkload = succeeded
            return succeeded ? .decide(.interval) : wait(now)
        case .decided, .wake:
            return wait(now)
        case .arrival:
            if let due = nextSync, now >= due { return sync(now) }
            return hasWorkload ? .decide(.arrival) : wait(now)
        }
    }

    private mutating func sync(_ now: Timestamp) -> Action {
        syncedAt = now
        return .readWorkload
    }

    /// Sleep until the next sync, or start it when it is already due.
    private mutating func wait(_ now: Timestamp) -> Action {
        guard let due = nextSync else { return sync(now) }
        return now >= due ? sync(now) : .sleep(until: due)
    }
}
