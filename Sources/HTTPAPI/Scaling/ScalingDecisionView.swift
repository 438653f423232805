import Foundation

/// One scaling policy's newest decision as `/api/v1/scaling/decisions` shows it.
public struct ScalingDecisionView: Encodable, Sendable {
    public struct Target: Encodable, Sendable {
        public var apiVersion: String
        public var kind: String
        public var namespace: String
        public var name: String

        public init(apiVersion: String, kind: String, namespace: String, name: String) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.namespace = namespace
            self.name = name
        }
    }

    public var policy: String
    /// Where the policy was read from: "rules/checkout.yaml:3".
    public var source: String
    public var target: Target
    public var evaluatedAt: Date?
    /// "interval" or "arrival".
    public var trigger: String?
    public var evaluations: Int
    public var failures: Int
    public var lastError: String?
    /// The decision with its explanation, nil until a policy's first decision.
    public var decision: (any Encodable & Sendable)?
    public var applied: Bool
    /// The newest change made or tried and what the API answered (`time`, `from`, `to`, `outcome`,
    /// `status`, `message`, `conflicts`, `retries`); nil before the first.
    public var lastAction: (any Encodable & Sendable)?

    public init(policy: String, source: String, target: Target, evaluatedAt: Date?, trigger: String?, evaluations: Int, failures: Int,
                lastError: String?, decision: (any Encodable & Sendable)?, applied: Bool, lastAction: (any Encodable & Sendable)? = nil) {
        self.lastAction = lastAction
        self.policy = policy
        self.source = source
        self.target = target
        self.evaluatedAt = evaluatedAt
        self.trigger = trigger
        self.evaluations = evaluations
        self.failures = failures
        self.lastError = lastError
        self.decision = decision
        self.applied = applied
    }

    enum CodingKeys: String, CodingKey {
        case policy, source, target, evaluatedAt, trigger, evaluations, failures, lastError, decision, applied, lastAction
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(policy, forKey: .policy)
        try container.encode(source, forKey: .source)
        try container.encode(target, forKey: .target)
        try container.encode(evaluatedAt?.formatted(.iso8601), forKey: .evaluatedAt)
        try container.encode(trigger, forKey: .trigger)
        try container.encode(evaluations, forKey: .evaluations)
        try container.encode(failures, forKey: .failures)
        try container.encode(lastError, forKey: .lastError)
        if let decision { try container.encode(decision, forKey: .decision) } else { try container.encodeNil(forKey: .decision) }
        try container.encode(applied, forKey: .applied)
        if let lastAction { try container.encode(lastAction, forKey: .lastAction) } else { try container.encodeNil(forKey: .lastAction) }
    }

    /// The `data` of the API answer.
    static func json(_ views: [ScalingDecisionView]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(views)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}
