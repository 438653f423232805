import Foundation

/// One workload's scaling policy: the HPA's fields (target, range, metrics, behavior) plus
/// schedules that raise the floor during known windows and a forecast that raises it before a
/// seasonal peak. Reactive, schedule and forecast combine by taking the largest.
public struct ScalingPolicy: Sendable, Equatable {
    public struct TargetReference: Sendable, Hashable, Codable, CustomStringConvertible {
        public var apiVersion: String
        public var kind: String
        public var namespace: String
        public var name: String

        public init(apiVersion: String = "apps/v1", kind: String = "Deployment", namespace: String = "default", name: String) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.namespace = namespace
            self.name = name
        }

        public var description: String { "\(kind)/\(name)" }
    }

    public var name: String
    public var target: TargetReference
    public var minReplicas: Int
    public var maxReplicas: Int
    public var metrics: [MetricSpecification]
    public var behavior: ScalingBehavior?
    public var schedules: [ScheduleWindow]
    public var predictive: PredictiveSettings?
    /// Threshold triggers (step scaling), combined with the metrics' proposal.
    public var triggers: [StepTrigger] = []
    /// How often the policy is evaluated: the HPA's sync period.
    public var intervalSeconds: Double
    /// Where the policy was read from, for messages: "rules/checkout.yaml:3".
    public var source: String
    /// Decide, log, show and audit, but never change the workload.
    public var dryRun = false

    public init(name: String, target: TargetReference, minReplicas: Int = 1, maxReplicas: Int, metrics: [MetricSpecification],
                behavior: ScalingBehavior? = nil, schedules: [ScheduleWindow] = [], predictive: PredictiveSettings? = nil,
                intervalSeconds: Double = 15, source: String = "") {
        self.name = name
        self.target = target
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.metrics = metrics
        self.behavior = behavior
        self.schedules = schedules
        self.predictive = predictive
        self.intervalSeconds = intervalSeconds
        self.source = source
    }
}

/// `predictive:` of a policy: a seasonal model of each metric's total that raises the floor to what
/// the forecast peak over the look-ahead needs.
public struct PredictiveSettings: Sendable, Equatable {
    public enum Method: String, Sendable, Equatable, CaseIterable {
        /// Robust seasonal profile: the median of the same time on past days, and once weeks have
        /// passed of the same time on the same weekday; useful from the second day, and an odd day
        /// (a holiday, an incident) neither erases the floor later nor inflates it.
        case profile
        case holtWinters = "holt-winters"
    }

    public var method: Method
    /// Extra capacity over the forecast peak, a fraction (0.1: 10 % more), the floor's own headroom
    /// apart from the reactive target.
    public var headroom: Double
    /// When set (`headroom: auto`), the headroom is instead this quantile of the forecast's recent
    /// shortfalls: how far actual values rose above what was forecast for them over the last week.
    public var headroomQuantile: Double?
    /// Season lengths in seconds: a day, a week, or both.
    public var seasons: [Double]
    /// How much history the model learns from, in seconds.
    public var historySeconds: Double
    /// The model's step: observations are averaged over buckets of this many seconds.
    public var resolutionSeconds: Double
    /// How far ahead the floor looks; nil means pod start-up plus one decision interval.
    public var lookAheadSeconds: Double?
    public var podStartupSeconds: Double
    /// Whether the policy gave `podStartup`; a backtest otherwise uses the start-up it simulates.
    public var podStartupGiven = false

    public init(method: Method = .profile, headroom: Double = 0.1, seasons: [Double] = [86_400], historySeconds: Double = 14 * 86_400,
                resolutionSeconds: Double = 300, lookAheadSeconds: Double? = nil, podStartupSeconds: Double = 60) {
        self.method = method
        self.headroom = headroom
        self.seasons = seasons
        self.historySeconds = historySeconds
        self.resolutionSeconds = resolutionSeconds
        self.lookAheadSeconds = lookAheadSeconds
        self.podStartupSeconds = podStartupSeconds
    }

    public func lookAhead(intervalSeconds: Double) -> Double {
        lookAheadSeconds ?? podStartupSeconds + intervalSeconds
    }
}
