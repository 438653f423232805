/// The kube-controller-manager flags that shape HPA decisions, with their defaults.
public struct ControllerSettings: Sendable, Equatable, Codable {
    /// `--horizontal-pod-autoscaler-tolerance`: ratios within this of 1.0 do not scale.
    public var scaleUpTolerance = 0.1
    public var scaleDownTolerance = 0.1
    public var downscaleStabilizationWindowSeconds = 300
    public var cpuInitializationPeriodSeconds = 300
    public var initialReadinessDelaySeconds = 30
    /// Without `behavior`, one step scales up to at most max(factor × current, minimum).
    public var scaleUpLimitFactor = 2.0
    public var scaleUpLimitMinimum = 4.0

    public init() {}

    /// These settings with the tolerances a policy's `behavior` sets for itself.
    public func applying(_ behavior: ScalingBehavior?) -> ControllerSettings {
        var settings = self
        if let up = behavior?.scaleUp?.tolerance { settings.scaleUpTolerance = up }
        if let down = behavior?.scaleDown?.tolerance { settings.scaleDownTolerance = down }
        return settings
    }

    /// Whether a usage ratio is close enough to 1.0 to leave the replica count alone.
    public func isWithinTolerance(_ ratio: Double) -> Bool {
        ratio < 1.0 ? 1.0 - ratio <= scaleDownTolerance : ratio - 1.0 <= scaleUpTolerance
    }
}
