import Foundation

/// What was observed for one metric: per-pod samples (Resource, ContainerResource, Pods), one value
/// (Object, External, PromQL), or why it could not be read.
public enum MetricObservation: Sendable, Equatable {
    case perPod([String: PodMetric])
    case total(Int64)
    case unavailable(String)
}

/// One metric's proposal, or its error.
public struct MetricProposal: Sendable, Equatable {
    public var metric: String
    public var replicas: Int?
    public var utilization: Int?
    /// Milli-units: the per-pod average, or the total for Value targets.
    public var current: Int64?
    public var error: MetricError?
}

public struct AutoscalerInput: Sendable {
    public var now: Date
    public var minReplicas: Int
    public var maxReplicas: Int
    /// The scale subresource's `spec.replicas` (the controller's current count) and `status.replicas`.
    public var specReplicas: Int
    public var statusReplicas: Int
    public var metrics: [MetricSpecification]
    public var observations: [MetricObservation]
    public var behavior: ScalingBehavior?
    public var pods: [PodState]
    public var settings: ControllerSettings
    /// A floor above `minReplicas` from schedules or forecasts; it never switches scaling on for a
    /// target at zero replicas whose `minReplicas` is not zero.
    public var floor: Int
    /// The policy's threshold triggers that fire, each with the count it proposes: combined with the
    /// metrics' proposal as AWS combines scaling policies (the largest of those asking for a change).
    public var firingTriggers: [TriggerOutcome] = []

    public init(now: Date, minReplicas: Int = 1, maxReplicas: Int, specReplicas: Int, statusReplicas: Int? = nil,
                metrics: [MetricSpecification], observations: [MetricObservation], behavior: ScalingBehavior? = nil,
                pods: [PodState], settings: ControllerSettings = ControllerSettings(), floor: Int = 0) {
        self.floor = floor
        self.now = now
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.specReplicas = specReplicas
        self.statusReplicas = statusReplicas ?? specReplicas
        self.metrics = metrics
        self.observations = observations
        self.behavior = behavior
        self.pods = pods
        self.settings = settings
    }
}

public struct ScalingDecision: Sendable, Equatable {
    public var desiredReplicas: Int
    public var currentReplicas: Int
    public var proposals: [MetricProposal]
    public var conditions: [ScalingCondition]
    /// The ScalingLimited reason when a limit changed the count, else nil.
    public var limitedBy: String?
    public var explanation: [String]
    /// The history to carry into the next decision: recommendations only. A scale event enters it
    /// when the scale is applied (`ScaleHistory.recordScale`), not when it is decided.
    public var history: ScaleHistory
    /// The threshold trigger whose proposal won, when one did.
    public var decidingTrigger: String?
}

/// The HPA controller's reconcile step, without the API calls: the replica count it would set and
/// the conditions it would report.
public enum Autoscaler {
    public static func decide(_ input: AutoscalerInput, history: ScaleHistory) -> ScalingDecision {
        var history = history
        let current = input.specReplicas
        // A new HPA starts its recommendations with the replicas it found, so scale-down
        // stabilization holds from the first decision on.
        history.recordInitialRecommendation(current, at: input.now)
        var conditions = [ScalingCondition(type: "AbleToScale", status: true, reason: "SucceededGetScale",
                                           message: "the HPA controller was able to get the target's current scale")]
        var explanation: [String] = []
        var proposals: [MetricProposal] = []
        var triggerDecides: String?
        func finish(_ desired: Int, limitedBy: String? = nil) -> ScalingDecision {
            ScalingDecision(desiredReplicas: desired, currentReplicas: current, proposals: proposals, conditions: conditions,
                            limitedBy: limitedBy, explanation: explanation, history: history, decidingTrigger: triggerDecides)
        }
        if current == 0 && input.minReplicas != 0 {
            conditions.append(ScalingCondition(type: "ScalingActive", status: false, reason: "ScalingDisabled",
                                               message: "scaling is disabled since the replica count of the target is zero"))
            explanation.append("The target has 0 replicas and minReplicas is \(input.minReplicas), so autoscaling is off.")
            return finish(0)
        }
        let minReplicas = max(input.minReplicas, min(input.floor, input.maxReplicas))
        if current > input.maxReplicas {
            explanation.append("Current number of replicas above Spec.MaxReplicas: \(current) > \(input.maxReplicas).")
            return finish(input.maxReplicas)
        }
        if current < minReplicas {
            explanation.append(minReplicas == input.minReplicas
                ? "Current number of replicas below Spec.MinReplicas: \(current) < \(minReplicas)."
                : "Current number of replicas below the floor: \(current) < \(minReplicas).")
            return finish(minReplicas)
        }
        let calculator = ReplicaCalculator(settings: input.settings.applying(input.behavior), now: input.now)
        proposals = zip(input.metrics, input.observations).map { spec, observation in
            proposal(spec, observation, current: current, input: input, calculator: calculator)
        }
        let valid = proposals.filter { $0.replicas != nil }
        let invalid = proposals.filter { $0.error != nil }
        let best = valid.max { $0.replicas! < $1.replicas! }
        let metricDesired = best?.replicas ?? 0
        let firing = input.firingTriggers.compactMap { outcome in outcome.replicas.map { (name: outcome.name, replicas: $0) } }
        // Missing metrics hold the count, as the HPA holds it; only a trigger asking for more may
        // still scale up (never down on missing data).
        if let firstError = invalid.first?.error, valid.isEmpty || metricDesired < current, !firing.contains(where: { $0.replicas > current }) {
            conditions.append(ScalingCondition(type: "ScalingActive", status: false, reason: firstError.reason, message: firstError.message))
            explanation.append("invalid metrics (\(invalid.count) invalid out of \(proposals.count)), first error is: \(firstError.message); replicas stay at \(current).")
            return finish(current)
        }
        if best == nil && firing.isEmpty { return finish(current) }
        if let best {
            conditions.append(ScalingCondition(type: "ScalingActive", status: true, reason: "ValidMetricFound",
                                               message: "the HPA was able to successfully calculate a replica count from \(best.metric)"))
            explanation.append("\(best.metric) proposes \(metricDesired) replicas" + (valid.count > 1 ? ", the largest of \(valid.count) proposals." : "."))
        }
        var desired = metricDesired
        if !firing.isEmpty {
            // Each source asking for a change proposes (metrics within tolerance ask for none); the
            // largest proposal wins, for scale-up and scale-down alike, as AWS combines step and
            // target-tracking policies. Stabilization and the behavior then apply as to the HPA's own.
            var candidates = firing
            if let best, metricDesired != current { candidates.append((name: best.metric, replicas: metricDesired)) }
            let winner = candidates.max { $0.replicas < $1.replicas }!
            desired = winner.replicas
            if firing.contains(where: { $0.name == winner.name && $0.replicas == winner.replicas }) { triggerDecides = winner.name }
            if best == nil {
                conditions.append(ScalingCondition(type: "ScalingActive", status: true, reason: "TriggerFired",
                                                   message: "the trigger \(winner.name) fired and proposes \(winner.replicas) replicas"))
            }
            explanation.append(triggerDecides != nil
                ? "Trigger \"\(winner.name)\" proposes \(desired) replicas, the largest proposal asking for a change."
                : "\(winner.name) proposes \(desired) replicas, more than the triggers that fire.")
        }
        let normalization = Normalization(settings: input.settings, now: input.now)
        let outcome: Normalization.Outcome
        if let behavior = input.behavior {
            let filled = behavior.withDefaults(downscaleStabilizationWindowSeconds: input.settings.downscaleStabilizationWindowSeconds)
            outcome = normalization.withBehavior(current: current, desired: desired, minReplicas: minReplicas,
                                                 maxReplicas: input.maxReplicas, behavior: filled, history: &history)
        } else {
            outcome = normalization.legacy(current: current, desired: desired, minReplicas: minReplicas,
                                           maxReplicas: input.maxReplicas, history: &history)
        }
        conditions[0] = outcome.ableToScale
        conditions.append(outcome.scalingLimited)
        if outcome.stabilized != desired {
            explanation.append("Stabilization changed \(desired) to \(outcome.stabilized): \(outcome.ableToScale.message).")
        }
        if outcome.replicas != outcome.stabilized {
            explanation.append("\(outcome.scalingLimited.reason) changed \(outcome.stabilized) to \(outcome.replicas): \(outcome.scalingLimited.message).")
        }
        if outcome.replicas != current {
            explanation.append(outcome.replicas > current ? "Scale up from \(current) to \(outcome.replicas)."
                               : "Scale down from \(current) to \(outcome.replicas) (" + (triggerDecides.map { "trigger \"\($0)\"" } ?? "all metrics below target") + ").")
        } else {
            explanation.append("No change: \(current) replicas.")
        }
        return finish(outcome.replicas, limitedBy: outcome.scalingLimited.status == .true ? outcome.scalingLimited.reason : nil)
    }

    /// The longest period of the scaling policies in force: how long scale events are kept.
    public static func longestPolicyPeriodSeconds(_ behavior: ScalingBehavior?) -> Int {
        ((behavior?.scaleUp?.policies ?? ScalingBehavior.defaultScaleUp.policies!)
            + (behavior?.scaleDown?.policies ?? ScalingBehavior.defaultScaleDown.policies!)).map(\.periodSeconds).max() ?? 15
    }

    static func proposal(_ spec: MetricSpecification, _ observation: MetricObservation, current: Int, input: AutoscalerInput,
                         calculator: ReplicaCalculator) -> MetricProposal {
        var proposal = MetricProposal(metric: spec.name)
        let failureReason: String = switch spec.source {
        case .resource: "FailedGetResourceMetric"
        case .containerResource: "FailedGetContainerResourceMetric"
        case .pods: "FailedGetPodsMetric"
        case .object: "FailedGetObjectMetric"
        case .external, .promql: "FailedGetExternalMetric"
        }
        switch (observation, spec.source, spec.target) {
        case (.unavailable(let message), _, _):
            proposal.error = MetricError(reason: failureReason, message: message)
        case (.perPod(let samples), .resource(let resource), .utilization(let target)),
             (.perPod(let samples), .containerResource(let resource, _), .utilization(let target)):
            var container: String?
            if case .containerResource(_, let name) = spec.source { container = name }
            switch calculator.resourceUtilization(currentReplicas: current, targetUtilization: target, resource: resource,
                                                  container: container, pods: input.pods, metrics: samples) {
            case .success(let result): (proposal.replicas, proposal.utilization, proposal.current) = (result.replicas, result.utilization, result.averageValue)
            case .failure(let error): proposal.error = MetricError(reason: failureReason, message: error.message)
            }
        case (.perPod(let samples), .resource(let resource), .averageValue(let target)),
             (.perPod(let samples), .containerResource(let resource, _), .averageValue(let target)):
            switch calculator.plainAverage(currentReplicas: current, targetAverage: target, cpu: resource == "cpu", pods: input.pods, metrics: samples) {
            case .success(let result): (proposal.replicas, proposal.current) = (result.replicas, result.averageValue)
            case .failure(let error): proposal.error = MetricError(reason: failureReason, message: error.message)
            }
        case (.perPod(let samples), .pods, .averageValue(let target)):
            switch calculator.plainAverage(currentReplicas: current, targetAverage: target, cpu: false, pods: input.pods, metrics: samples) {
            case .success(let result): (proposal.replicas, proposal.current) = (result.replicas, result.averageValue)
            case .failure(let error): proposal.error = MetricError(reason: failureReason, message: error.message)
            }
        case (.total(let usage), .object, .value(let target)), (.total(let usage), .external, .value(let target)),
             (.total(let usage), .promql, .value(let target)):
            switch calculator.value(currentReplicas: current, usage: usage, target: target, pods: input.pods) {
            case .success(let replicas): proposal.replicas = replicas
            case .failure(let error): proposal.error = MetricError(reason: failureReason, message: error.message)
            }
            proposal.current = usage
        case (.total(let usage), .object, .averageValue(let target)), (.total(let usage), .external, .averageValue(let target)),
             (.total(let usage), .promql, .averageValue(let target)):
            proposal.replicas = calculator.averageValue(statusReplicas: input.statusReplicas, usage: usage, targetAverage: target)
            proposal.current = Int64((Double(usage) / Double(max(input.statusReplicas, 1))).rounded(.up))
        default:
            proposal.error = MetricError(reason: "InvalidMetricSourceType", message: "the target \(spec.target) does not apply to \(spec.name) with this observation")
        }
        return proposal
    }
}
