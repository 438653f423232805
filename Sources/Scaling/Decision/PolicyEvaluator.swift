import Foundation

/// What one evaluation of a policy needs from the world: the workload's scale and pods, and an
/// observation per policy metric, in the policy's order.
public struct PolicyInput: Sendable {
    public var now: Date
    public var specReplicas: Int
    public var statusReplicas: Int
    public var pods: [PodState]
    public var observations: [MetricObservation]
    /// Per threshold trigger, in the policy's order: whether its condition holds.
    public var triggerObservations: [TriggerObservation]

    public init(now: Date, specReplicas: Int, statusReplicas: Int? = nil, pods: [PodState], observations: [MetricObservation],
                triggerObservations: [TriggerObservation] = []) {
        self.triggerObservations = triggerObservations
        self.now = now
        self.specReplicas = specReplicas
        self.statusReplicas = statusReplicas ?? specReplicas
        self.pods = pods
        self.observations = observations
    }
}

/// The floor a forecast sets, and what it was computed from.
public struct ForecastFloor: Sendable, Equatable {
    public var replicas: Int
    /// The metric whose forecast needs the most replicas, its forecast peak (in the metric's units)
    /// and the end of the look-ahead.
    public var metric: String
    public var peak: Double
    public var horizon: Date
}

/// What set a decision's replica count.
public enum DecisionDriver: String, Sendable, Equatable, CaseIterable {
    case metrics, schedule, forecast, minReplicas, maxReplicas, trigger
}

public struct PolicyDecision: Sendable, Equatable {
    public var desiredReplicas: Int
    public var reactive: ScalingDecision
    public var schedule: ScheduleFloor
    public var forecast: ForecastFloor?
    /// Each threshold trigger's state and, when it fires, its proposal.
    public var triggers: [TriggerOutcome] = []
    public var drivenBy: DecisionDriver
    public var explanation: [String]
}

/// Evaluates a policy along a clock: the HPA decision on its metrics, with schedules and forecasts
/// as a floor under it. Keeps the controller's history and the forecasters between evaluations.
public struct PolicyEvaluator: Sendable {
    public let policy: ScalingPolicy
    public var settings: ControllerSettings
    public var history: ScaleHistory
    private var schedules: ScheduleTracker
    /// The same windows read `lead` seconds ahead, for the capacity nodes must have ready by then.
    private var upcomingSchedules: ScheduleTracker
    private var forecasters: [MetricForecaster]
    public private(set) var triggerStates: [TriggerState]
    /// The triggers' outcomes at the latest decision: an applied scale starts the cooldown of those
    /// that fired its way.
    private var lastTriggers: [TriggerOutcome] = []

    public init(policy: ScalingPolicy, settings: ControllerSettings = ControllerSettings(), history: ScaleHistory = .initial,
                triggerStates: [TriggerState] = []) {
        self.policy = policy
        self.settings = settings
        self.history = history
        schedules = ScheduleTracker(windows: policy.schedules)
        upcomingSchedules = ScheduleTracker(windows: policy.schedules)
        forecasters = policy.predictive.map { settings in policy.metrics.map { _ in MetricForecaster(settings: settings) } } ?? []
        self.triggerStates = triggerStates.count == policy.triggers.count ? triggerStates
            : Array(repeating: TriggerState(), count: policy.triggers.count)
    }

    /// Feeds past values of metric `index` (its total over pods, or its value) to the forecaster.
    public mutating func learn(metric index: Int, value: Double, at date: Date) {
        guard forecasters.indices.contains(index) else { return }
        forecasters[index].observe(value, at: date)
    }

    public mutating func decide(_ input: PolicyInput) -> PolicyDecision {
        let schedule = schedules.floor(at: input.now)
        for (index, observation) in input.observations.enumerated() where forecasters.indices.contains(index) {
            if let total = Self.total(observation) { forecasters[index].observe(total, at: input.now) }
        }
        let forecast = forecastFloor(input)
        let floor = min(max(schedule.replicas, forecast?.replicas ?? 0), policy.maxReplicas)
        let triggers = StepTriggers.evaluate(policy.triggers, observations: input.triggerObservations, states: &triggerStates,
                                             current: input.specReplicas, now: input.now)
        lastTriggers = triggers
        var autoscalerInput = AutoscalerInput(
            now: input.now, minReplicas: policy.minReplicas, maxReplicas: policy.maxReplicas, specReplicas: input.specReplicas,
            statusReplicas: input.statusReplicas, metrics: policy.metrics, observations: input.observations,
            behavior: policy.behavior, pods: input.pods, settings: settings, floor: floor)
        autoscalerInput.firingTriggers = triggers.filter { $0.status == .firing }
        var reactive = Autoscaler.decide(autoscalerInput, history: history)
        if policy.metrics.isEmpty && policy.triggers.isEmpty {
            let desired = max(policy.minReplicas, floor)
            reactive.desiredReplicas = input.specReplicas == 0 && policy.minReplicas != 0 ? 0 : desired
            reactive.explanation = ["The policy has no metrics; its schedules set \(reactive.desiredReplicas) replicas."]
        }
        history = reactive.history
        let metricProposal = reactive.proposals.compactMap(\.replicas).max()
        var explanation: [String] = []
        if !schedule.activeWindows.isEmpty {
            explanation.append("Schedule \(schedule.activeWindows.map { "\"\($0)\"" }.joined(separator: ", ")) holds at least \(schedule.replicas) replicas.")
        }
        if let forecast {
            explanation.append(String(format: "The forecast of %@ peaks at %.4g by %@, which needs %d replicas at the target plus the scale-up tolerance.", forecast.metric, forecast.peak,
                                      forecast.horizon.formatted(.iso8601), forecast.replicas))
        } else if policy.predictive != nil {
            explanation.append("The forecast is still learning: it needs more history before it raises the floor.")
        }
        explanation += triggers.map(\.explanation)
        let desired = reactive.desiredReplicas
        let drivenBy: DecisionDriver
        if floor > policy.minReplicas && desired == floor && floor > (metricProposal ?? 0) {
            drivenBy = schedule.replicas >= (forecast?.replicas ?? 0) ? .schedule : .forecast
        } else if desired == policy.maxReplicas && (metricProposal ?? 0) > desired {
            drivenBy = .maxReplicas
        } else if desired == policy.minReplicas && (metricProposal ?? desired) < desired {
            drivenBy = .minReplicas
        } else if reactive.decidingTrigger != nil {
            drivenBy = .trigger
        } else {
            drivenBy = policy.metrics.isEmpty ? (policy.triggers.isEmpty ? .schedule : .trigger) : .metrics
        }
        return PolicyDecision(desiredReplicas: desired, reactive: reactive, schedule: schedule, forecast: forecast, triggers: triggers,
                              drivenBy: drivenBy, explanation: explanation + reactive.explanation)
    }

    /// Records that the target's replicas were changed from `previous` to `new`: only an applied
    /// scale counts against the scaling policies' rate limits, as in the controller.
    public mutating func recordScale(from previous: Int, to new: Int, at now: Date) {
        StepTriggers.recordScale(from: previous, to: new, at: now, fired: lastTriggers, states: &triggerStates)
        history.recordScale(from: previous, to: new, at: now, longestPeriodSeconds: Autoscaler.longestPolicyPeriodSeconds(policy.behavior))
    }

    /// A metric's figure for forecasting: the sum over pods, or the single value.
    static func total(_ observation: MetricObservation) -> Double? {
        switch observation {
        case .perPod(let samples): samples.isEmpty ? nil : Double(samples.values.reduce(Int64(0)) { $0 + $1.value }) / 1000
        case .total(let value): Double(value) / 1000
        case .unavailable: nil
        }
    }

    /// The replicas the policy's floors will ask for within `lead` seconds (a node's boot time): its
    /// schedules at now + lead, and its forecast looked ahead `lead` further than for pods. Read after
    /// `decide`, whose observations the forecast has then learnt. Nodes for these pods are started now.
    public mutating func upcomingFloor(now: Date, lead: Double, pods: [PodState]) -> Int {
        let schedule = upcomingSchedules.floor(at: now.addingTimeInterval(lead)).replicas
        let input = PolicyInput(now: now, specReplicas: pods.count, pods: pods, observations: [])
        return min(max(schedule, forecastFloor(input, extraLead: lead)?.replicas ?? 0), policy.maxReplicas)
    }

    private func forecastFloor(_ input: PolicyInput, extraLead: Double = 0) -> ForecastFloor? {
        guard let predictive = policy.predictive else { return nil }
        let horizon = input.now.addingTimeInterval(predictive.lookAhead(intervalSeconds: policy.intervalSeconds) + extraLead)
        var best: ForecastFloor?
        for (index, spec) in policy.metrics.enumerated() where forecasters.indices.contains(index) {
            guard let forecastPeak = forecasters[index].peak(from: input.now, through: horizon), forecastPeak > 0 else { continue }
            // Sized at the top of the band the reactive part accepts (the target plus the scale-up
            // tolerance): at the forecast peak the pods are as busy as the HPA lets them get before
            // it adds any, so the floor covers the peak without holding pods the HPA would not.
            let peak = forecastPeak / (1 + max(settings.applying(policy.behavior).scaleUpTolerance, 0))
            let replicas: Int?
            switch spec.target {
            case .averageValue(let target):
                replicas = Self.wholeReplicas(peak * 1000 / Double(target))
            case .value(let target):
                let ready = input.pods.readyCount
                replicas = Self.wholeReplicas(Double(max(ready, 1)) * peak * 1000 / Double(target))
            case .utilization(let percent):
                replicas = Self.averageRequest(spec, pods: input.pods).map { request in
                    Self.wholeReplicas(peak * 1000 / (Double(request) * Double(percent) / 100))
                }
            }
            guard let replicas else { continue }
            let floor = ForecastFloor(replicas: min(replicas, policy.maxReplicas), metric: spec.name, peak: forecastPeak, horizon: horizon)
            if best == nil || floor.replicas > best!.replicas { best = floor }
        }
        return best
    }

    /// Replicas for a fractional need, rounded up, where a need that is whole but for floating-point
    /// error (2200 / 1.1 / 100) is not rounded up to one more.
    static func wholeReplicas(_ need: Double) -> Int {
        Int((need * (1 - 1e-12)).rounded(.up))
    }

    /// The mean request per pod for a Resource or ContainerResource metric, in milli-units.
    static func averageRequest(_ spec: MetricSpecification, pods: [PodState]) -> Int64? {
        let totals: [Int64] = pods.compactMap { pod in
            switch spec.source {
            case .resource(let resource):
                let values = pod.requests.values.compactMap { $0[resource] }
                return values.isEmpty ? nil : values.reduce(0, +)
            case .containerResource(let resource, let container):
                return pod.requests[container]?[resource]
            default:
                return nil
            }
        }
        guard !totals.isEmpty else { return nil }
        let average = totals.reduce(0, +) / Int64(totals.count)
        return average > 0 ? average : nil
    }
}
