import Foundation

/// What the controller remembers per workload between decisions: its recent unstabilized
/// recommendations and the scale events within the policies' periods.
public struct ScaleHistory: Sendable, Equatable, Codable {
    public struct Recommendation: Sendable, Equatable, Codable {
        public var time: Date
        public var replicas: Int

        public init(time: Date, replicas: Int) {
            self.time = time
            self.replicas = replicas
        }
    }

    public struct Event: Sendable, Equatable, Codable {
        public var time: Date
        public var replicaChange: Int

        public init(time: Date, replicaChange: Int) {
            self.time = time
            self.replicaChange = replicaChange
        }
    }

    public var recommendations: [Recommendation] = []
    public var scaleUpEvents: [Event] = []
    public var scaleDownEvents: [Event] = []
    /// False until the first decision: the state of an HPA the controller has never reconciled.
    public var evaluatedBefore: Bool

    public init(recommendations: [Recommendation] = [], scaleUpEvents: [Event] = [], scaleDownEvents: [Event] = [],
                evaluatedBefore: Bool = true) {
        self.recommendations = recommendations
        self.scaleUpEvents = scaleUpEvents
        self.scaleDownEvents = scaleDownEvents
        self.evaluatedBefore = evaluatedBefore
    }

    /// The history of a policy that was never evaluated.
    public static let initial = ScaleHistory(evaluatedBefore: false)

    /// On the first decision only: the current replicas become the first recommendation, as the
    /// controller's `recordInitialRecommendation` does for a new HPA.
    mutating func recordInitialRecommendation(_ replicas: Int, at now: Date) {
        guard !evaluatedBefore else { return }
        evaluatedBefore = true
        if recommendations.isEmpty { recommendations = [Recommendation(time: now, replicas: replicas)] }
    }

    /// Replicas added (or removed) by events within the last `periodSeconds`.
    static func change(within periodSeconds: Int, _ events: [Event], now: Date) -> Int {
        let cutoff = now.addingTimeInterval(-Double(periodSeconds))
        return events.filter { $0.time > cutoff }.reduce(0) { $0 + $1.replicaChange }
    }

    /// Records a rescale from `previous` to `new` replicas, dropping events older than the longest
    /// policy period, as the controller does after each successful update.
    public mutating func recordScale(from previous: Int, to new: Int, at now: Date, longestPeriodSeconds: Int) {
        let cutoff = now.addingTimeInterval(-Double(longestPeriodSeconds))
        scaleUpEvents.removeAll { $0.time <= cutoff }
        scaleDownEvents.removeAll { $0.time <= cutoff }
        if new > previous { scaleUpEvents.append(Event(time: now, replicaChange: new - previous)) }
        if new < previous { scaleDownEvents.append(Event(time: now, replicaChange: previous - new)) }
    }
}
