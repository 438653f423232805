/// `autoscaling/v2` `behavior`: per direction a stabilization window, rate policies and how to pick
/// among them. `withDefaults` fills what was left out exactly as the API server's defaulting does.
public struct ScalingBehavior: Sendable, Equatable, Codable {
    public var scaleUp: Rules?
    public var scaleDown: Rules?

    public init(scaleUp: Rules? = nil, scaleDown: Rules? = nil) {
        self.scaleUp = scaleUp
        self.scaleDown = scaleDown
    }

    public struct Rules: Sendable, Equatable, Codable {
        public var stabilizationWindowSeconds: Int?
        public var selectPolicy: SelectPolicy?
        public var policies: [Policy]?
        /// How far the usage ratio may move from 1.0 in this direction before it scales; nil takes
        /// the controller's `--horizontal-pod-autoscaler-tolerance` (Kubernetes 1.33's per-direction
        /// tolerance).
        public var tolerance: Double?

        public init(stabilizationWindowSeconds: Int? = nil, selectPolicy: SelectPolicy? = nil, policies: [Policy]? = nil, tolerance: Double? = nil) {
            self.stabilizationWindowSeconds = stabilizationWindowSeconds
            self.selectPolicy = selectPolicy
            self.policies = policies
            self.tolerance = tolerance
        }
    }

    public enum SelectPolicy: String, Sendable, Equatable, Codable {
        case max = "Max", min = "Min", disabled = "Disabled"
    }

    public struct Policy: Sendable, Equatable, Codable {
        public enum Kind: String, Sendable, Equatable, Codable { case pods = "Pods", percent = "Percent" }
        public var type: Kind
        public var value: Int
        public var periodSeconds: Int

        public init(type: Kind, value: Int, periodSeconds: Int) {
            self.type = type
            self.value = value
            self.periodSeconds = periodSeconds
        }
    }

    public static let defaultScaleUp = Rules(stabilizationWindowSeconds: 0, selectPolicy: .max,
                                             policies: [Policy(type: .pods, value: 4, periodSeconds: 15),
                                                        Policy(type: .percent, value: 100, periodSeconds: 15)])
    public static let defaultScaleDown = Rules(stabilizationWindowSeconds: nil, selectPolicy: .max,
                                               policies: [Policy(type: .percent, value: 100, periodSeconds: 15)])

    /// Missing parts filled from the defaults; the scale-down window, if still unset, from the
    /// controller's downscale stabilization window.
    public func withDefaults(downscaleStabilizationWindowSeconds: Int) -> ScalingBehavior {
        func fill(_ rules: Rules?, _ defaults: Rules) -> Rules {
            guard var rules else { return defaults }
            rules.stabilizationWindowSeconds = rules.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds
            rules.selectPolicy = rules.selectPolicy ?? .max
            rules.policies = rules.policies ?? defaults.policies
            return rules
        }
        var filled = ScalingBehavior(scaleUp: fill(scaleUp, Self.defaultScaleUp), scaleDown: fill(scaleDown, Self.defaultScaleDown))
        if filled.scaleDown?.stabilizationWindowSeconds == nil {
            filled.scaleDown?.stabilizationWindowSeconds = downscaleStabilizationWindowSeconds
        }
        return filled
    }
}
