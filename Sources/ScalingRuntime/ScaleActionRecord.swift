import Foundation

/// One change of a workload's replicas Surge made or meant to make, and what came of it: what
/// `/api/v1/scaling/decisions` shows, the audit trail records and the alerts tell.
public struct ScaleActionRecord: Sendable, Equatable, Encodable {
    public enum Outcome: String, Sendable, Equatable, Encodable {
        /// The API server accepted the new count.
        case applied
        /// Dry run (the policy's or the server's): decided, not written.
        case dryRun
        /// Another autoscaler (HPA, KEDA) scales the target; Surge leaves it alone.
        case refused
        /// Another replica holds the Lease: this one decides and publishes, and does not write.
        case notLeader
        /// Held by the per-target or global limit on changes.
        case rateLimited
        /// The API refused the write or could not be reached, after the retries it allows.
        case failed
    }

    public var time: Date
    public var from: Int
    public var to: Int
    public var outcome: Outcome
    /// The HTTP status of the last answer, when there was one.
    public var status: Int?
    /// What the API (or the reason to hold) said.
    public var message: String
    /// Writes refused with 409 Conflict along the way, each followed by a fresh read and decision.
    public var conflicts: Int
    /// Writes repeated after 5xx, 429 or no answer.
    public var retries: Int

    public init(time: Date, from: Int, to: Int, outcome: Outcome, status: Int? = nil, message: String, conflicts: Int = 0, retries: Int = 0) {
        self.time = time
        self.from = from
        self.to = to
        self.outcome = outcome
        self.status = status
        self.message = message
        self.conflicts = conflicts
        self.retries = retries
    }

    enum CodingKeys: String, CodingKey {
        case time, from, to, outcome, status, message, conflicts, retries
    }

    /// The time in RFC 3339, as the rest of the decisions API writes times.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time.formatted(.iso8601), forKey: .time)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(status, forKey: .status)
        try container.encode(message, forKey: .message)
        try container.encode(conflicts, forKey: .conflicts)
        try container.encode(retries, forKey: .retries)
    }

    /// The count the workload has now because of this action, nil when it was not changed.
    public var appliedReplicas: Int? { outcome == .applied ? to : nil }
}
