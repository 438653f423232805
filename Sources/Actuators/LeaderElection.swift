/// A `coordination.k8s.io/v1` Lease's fields that leader election reads and writes.
public struct LeaseRecord: Sendable, Equatable {
    public var holderIdentity: String?
    public var leaseDurationSeconds: Int
    /// Milliseconds since the epoch.
    public var acquireTime: Int64?
    public var renewTime: Int64?
    public var leaseTransitions: Int

    public init(holderIdentity: String?, leaseDurationSeconds: Int, acquireTime: Int64?, renewTime: Int64?, leaseTransitions: Int) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }
}

/// Leader election on a Lease as kube-controller-manager does it (client-go's leaderelection),
/// without the API calls: every `retryPeriod` the service reads the Lease and asks `plan`; a
/// free or expired Lease (or its own) is written with this replica as the holder, a Lease another
/// replica renewed within `leaseDuration` is left alone. Expiry is judged on this replica's own
/// clock from when it last saw the Lease change, never on the other replica's timestamps, so
/// clock skew between replicas does not matter. A leader that has not renewed for `renewDeadline`
/// (shorter than the lease) stops leading, so it stops acting before another replica can take over.
public struct LeaderElection: Sendable, Equatable {
    public let identity: String
    public let leaseDuration: Int64
    public let renewDeadline: Int64
    public let retryPeriod: Int64

    /// The Lease as last read and when (on this clock) it was last seen to change.
    private var observed: LeaseRecord?
    private var observedAt: Int64 = .min
    /// When this replica last wrote the Lease successfully as its holder.
    private var lastRenew: Int64?

    public init(identity: String, leaseDuration: Int64 = 15_000, renewDeadline: Int64 = 10_000, retryPeriod: Int64 = 2_000) {
        precondition(renewDeadline < leaseDuration, "a leader must give up before its lease runs out")
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }

    /// Whether this replica may act now: it renewed the Lease within the renew deadline.
    public func isLeader(at now: Int64) -> Bool {
        guard let lastRenew else { return false }
        return now - lastRenew < renewDeadline
    }

    /// The holder as last seen, for messages.
    public var holder: String? { observed?.holderIdentity }

    public enum Plan: Sendable, Equatable {
        /// No Lease yet: create it with this replica as the holder.
        case create(LeaseRecord)
        /// Write the Lease (held by this replica from now on, or renewed).
        case update(LeaseRecord)
        /// Another replica holds a live Lease.
        case wait
    }

    /// What to do with the Lease as just read (nil: it does not exist).
    public mutating func plan(_ current: LeaseRecord?, at now: Int64) -> Plan {
        guard let current else {
            observed = nil
            return .create(LeaseRecord(holderIdentity: identity, leaseDurationSeconds: Int(leaseDuration / 1000), acquireTime: now,
                                       renewTime: now, leaseTransitions: 0))
        }
        if current != observed {
            observed = current
            observedAt = now
        }
        let mine = current.holderIdentity == identity
        let held = !(current.holderIdentity ?? "").isEmpty
        let expired = now >= observedAt + Int64(current.leaseDurationSeconds) * 1000
        if held && !mine && !expired { return .wait }
        var next = current
        next.holderIdentity = identity
        next.leaseDurationSeconds = Int(leaseDuration / 1000)
        next.renewTime = now
        if !mine {
            next.acquireTime = now
            next.leaseTransitions = current.leaseTransitions + (held ? 1 : 0)
        }
        return .update(next)
    }

    /// The Lease write `plan` asked for succeeded (the API server took it) or failed (a conflict:
    /// another replica wrote first; or no answer).
    public mutating func written(_ record: LeaseRecord, succeeded: Bool, at now: Int64) {
        guard succeeded else { return }
        observed = record
        observedAt = now
        lastRenew = now
    }

    /// Gives the Lease up on shutdown: the record to write so another replica takes over at once.
    public mutating func release(at now: Int64) -> LeaseRecord? {
        guard isLeader(at: now), var record = observed else { return nil }
        lastRenew = nil
        record.holderIdentity = ""
        record.leaseDurationSeconds = 1
        record.renewTime = now
        return record
    }
}
