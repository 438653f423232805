import Foundation

/// A condition's status, as Kubernetes writes it.
public enum ConditionStatus: String, Sendable, Equatable, Codable, CaseIterable {
    case `true` = "True"
    case `false` = "False"
    case unknown = "Unknown"

    public init(_ value: Bool) { self = value ? .true : .false }
}

/// A condition as the HPA reports it.
public struct ScalingCondition: Sendable, Equatable, Codable {
    public var type: String
    public var status: ConditionStatus
    public var reason: String
    public var message: String

    public init(type: String, status: Bool, reason: String, message: String) {
        self.type = type
        self.status = ConditionStatus(status)
        self.reason = reason
        self.message = message
    }
}

/// The HPA controller's normalization of a metric-driven recommendation: stabilization over recent
/// recommendations, then the scale rate and min/max limits; with `behavior` the v2 policies, without
/// it the fixed downscale window and the max(2x, 4) scale-up limit.
public struct Normalization: Sendable {
    public var settings: ControllerSettings
    public var now: Date

    public init(settings: ControllerSettings, now: Date) {
        self.settings = settings
        self.now = now
    }

    public struct Outcome: Sendable, Equatable {
        public var replicas: Int
        /// The recommendation after stabilization, before rate and range limits.
        public var stabilized: Int
        public var ableToScale: ScalingCondition
        public var scalingLimited: ScalingCondition
    }

    static let readyForNewScale = ScalingCondition(type: "AbleToScale", status: true, reason: "ReadyForNewScale",
                                                   message: "recommended size matches current size")
    static let withinRange = ("DesiredWithinRange", "the desired count is within the acceptable range")

    /// Without `behavior`: the highest recommendation of the downscale window, then max(2x, 4).
    public func legacy(current: Int, desired: Int, minReplicas: Int, maxReplicas: Int, history: inout ScaleHistory) -> Outcome {
        let cutoff = now.addingTimeInterval(-Double(settings.downscaleStabilizationWindowSeconds))
        var stabilized = desired
        var oldIndex: Int?
        for (index, recommendation) in history.recommendations.enumerated() {
            if recommendation.time < cutoff {
                oldIndex = index
            } else {
                stabilized = max(stabilized, recommendation.replicas)
            }
        }
        record(desired, replacing: oldIndex, in: &history)
        let able = stabilized != desired
            ? ScalingCondition(type: "AbleToScale", status: true, reason: "ScaleDownStabilized",
                               message: "recent recommendations were higher than current one, applying the highest recent recommendation")
            : Self.readyForNewScale
        let scaleUpLimit = Int(max(settings.scaleUpLimitFactor * Double(current), settings.scaleUpLimitMinimum))
        let (maximum, limitReason, limitMessage) = maxReplicas > scaleUpLimit
            ? (scaleUpLimit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
            : (maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
        let replicas: Int
        let reason: (String, String)
        if stabilized < minReplicas {
            replicas = minReplicas
            reason = ("TooFewReplicas", "the desired replica count is less than the minimum replica count")
        } else if stabilized > maximum {
            replicas = maximum
            reason = (limitReason, limitMessage)
        } else {
            replicas = stabilized
            reason = Self.withinRange
        }
        return Outcome(replicas: replicas, stabilized: stabilized, ableToScale: able,
                       scalingLimited: ScalingCondition(type: "ScalingLimited", status: replicas != stabilized, reason: reason.0, message: reason.1))
    }

    /// With `behavior` (already filled with defaults): both stabilization windows, then the policies.
    public func withBehavior(current: Int, desired: Int, minReplicas: Int, maxReplicas: Int, behavior: ScalingBehavior,
                             history: inout ScaleHistory) -> Outcome {
        let up = behavior.scaleUp ?? ScalingBehavior.defaultScaleUp
        let down = behavior.scaleDown ?? ScalingBehavior.defaultScaleDown
        let upCutoff = now.addingTimeInterval(-Double(up.stabilizationWindowSeconds ?? 0))
        let downCutoff = now.addingTimeInterval(-Double(down.stabilizationWindowSeconds ?? settings.downscaleStabilizationWindowSeconds))
        var upRecommendation = desired
        var downRecommendation = desired
        var oldIndex: Int?
        for (index, recommendation) in history.recommendations.enumerated() {
            if recommendation.time > upCutoff { upRecommendation = min(upRecommendation, recommendation.replicas) }
            if recommendation.time > downCutoff { downRecommendation = max(downRecommendation, recommendation.replicas) }
            if recommendation.time < upCutoff && recommendation.time < downCutoff { oldIndex = index }
        }
        let stabilized = min(max(current, upRecommendation), downRecommendation)
        record(desired, replacing: oldIndex, in: &history)
        let able: ScalingCondition
        if stabilized == desired {
            able = Self.readyForNewScale
        } else if desired >= current {
            able = ScalingCondition(type: "AbleToScale", status: true, reason: "ScaleUpStabilized",
                                    message: "recent recommendations were lower than current one, applying the lowest recent recommendation")
        } else {
            able = ScalingCondition(type: "AbleToScale", status: true, reason: "ScaleDownStabilized",
                                    message: "recent recommendations were higher than current one, applying the highest recent recommendation")
        }
        var replicas = stabilized
        var reason = Self.withinRange
        if stabilized > current {
            let limit = max(scaleUpLimit(current: current, rules: up, history: history), current)
            let (maximum, limitReason) = maxReplicas > limit
                ? (limit, ("ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"))
                : (maxReplicas, ("TooManyReplicas", "the desired replica count is more than the maximum replica count"))
            if stabilized > maximum { (replicas, reason) = (maximum, limitReason) }
        } else if stabilized < current {
            let limit = min(scaleDownLimit(current: current, rules: down, history: history), current)
            let (minimum, limitReason) = minReplicas < limit
                ? (limit, ("ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"))
                : (minReplicas, ("TooFewReplicas", "the desired replica count is less than the minimum replica count"))
            if stabilized < minimum { (replicas, reason) = (minimum, limitReason) }
        }
        return Outcome(replicas: replicas, stabilized: stabilized, ableToScale: able,
                       scalingLimited: ScalingCondition(type: "ScalingLimited", status: replicas != stabilized, reason: reason.0, message: reason.1))
    }

    /// Pods or Percent over the replica count at the start of each policy's period; Max picks the
    /// most permissive, Min the least, Disabled allows none.
    func scaleUpLimit(current: Int, rules: ScalingBehavior.Rules, history: ScaleHistory) -> Int {
        let select = rules.selectPolicy ?? .max
        if select == .disabled { return current }
        var result = select == .min ? Int.max : Int.min
        for policy in rules.policies ?? [] {
            let start = periodStart(current, policy, history)
            let proposed = policy.type == .pods ? start + policy.value
                : Int((Double(start) * (1 + Double(policy.value) / 100)).rounded(.up))
            result = select == .min ? min(result, proposed) : max(result, proposed)
        }
        return result
    }

    func scaleDownLimit(current: Int, rules: ScalingBehavior.Rules, history: ScaleHistory) -> Int {
        let select = rules.selectPolicy ?? .max
        if select == .disabled { return current }
        var result = select == .min ? Int.min : Int.max
        for policy in rules.policies ?? [] {
            let start = periodStart(current, policy, history)
            let proposed = policy.type == .pods ? start - policy.value
                : Int(Double(start) * (1 - Double(policy.value) / 100))
            result = select == .min ? max(result, proposed) : min(result, proposed)
        }
        return result
    }

    private func periodStart(_ current: Int, _ policy: ScalingBehavior.Policy, _ history: ScaleHistory) -> Int {
        current - ScaleHistory.change(within: policy.periodSeconds, history.scaleUpEvents, now: now)
            + ScaleHistory.change(within: policy.periodSeconds, history.scaleDownEvents, now: now)
    }

    private func record(_ desired: Int, replacing index: Int?, in history: inout ScaleHistory) {
        let entry = ScaleHistory.Recommendation(time: now, replicas: desired)
        if let index { history.recommendations[index] = entry } else { history.recommendations.append(entry) }
    }
}
