import Foundation
import Scaling
import TimeSeriesCore

/// A policy evaluated on live data: its metrics read through the query seam, the workload from a
/// `WorkloadSource`. Keeps the evaluator (stabilization history, forecasters) between evaluations,
/// so `surge serve` evaluates it along the clock and `surge decide --policy` once.
public struct LiveEvaluation: Sendable {
    public private(set) var evaluator: PolicyEvaluator
    public var policy: ScalingPolicy { evaluator.policy }
    /// The staleness bound the query engine applies (its lookback): named when a metric has no
    /// sample recent enough, so a held decision says why.
    let metricMaxAgeMilliseconds: Int64?
    /// When node groups serve the policy: their boot time, the look-ahead of `upcomingReplicas`.
    public var nodeLeadSeconds: Double?
    /// The replicas the policy's floors will want within `nodeLeadSeconds`, as of the newest decision.
    public private(set) var upcomingReplicas: Int?
    /// What one of the workload's pods requests (the mean over its pods), as of the newest decision.
    public private(set) var podRequests: ResourceAmounts?

    public init(policy: ScalingPolicy, metricMaxAgeMilliseconds: Int64? = nil, nodeLeadSeconds: Double? = nil) {
        evaluator = PolicyEvaluator(policy: policy)
        self.metricMaxAgeMilliseconds = metricMaxAgeMilliseconds
        self.nodeLeadSeconds = nodeLeadSeconds
    }

    /// Teaches the forecasters the policy's `history` from storage, one value per `resolution`.
    /// Returns how many values each metric gave; a metric whose query fails gives none.
    @discardableResult
    public mutating func prime(from metrics: any QueryEngine, now: Date) async -> [Int] {
        guard let predictive = policy.predictive else { return [] }
        var counts: [Int] = []
        for (index, spec) in policy.metrics.enumerated() {
            let (query, _) = MetricQueries.query(for: spec, policy: policy)
            let start = now.addingTimeInterval(-predictive.historySeconds)
            let end = now.addingTimeInterval(-predictive.resolutionSeconds)
            guard end > start, let values = try? await metrics.rangeTotals(query, start: start.milliseconds, end: end.milliseconds,
                                                                                step: Int64(predictive.resolutionSeconds * 1000)) else {
                counts.append(0)
                continue
            }
            for value in values { evaluator.learn(metric: index, value: value.value, at: Date(milliseconds: value.timestamp)) }
            counts.append(values.count)
        }
        return counts
    }

    /// Records a scale the API server accepted: only such a change counts against the behavior's
    /// scale-up and scale-down policies, as the HPA stores an event only after its update succeeds.
    public mutating func recordScale(from previous: Int, to new: Int, at time: Date) {
        evaluator.recordScale(from: previous, to: new, at: time)
    }

    /// One decision at `now`.
    public mutating func evaluate(now: Date, metrics: any QueryEngine, workload: WorkloadState) async -> PolicyDecision {
        var observations: [MetricObservation] = []
        var reporting = Set<String>()
        var requests: [String: [String: [String: Int64]]] = [:]
        let known = workload.pods.map { Set($0.map(\.name)) }
        let recent = metricMaxAgeMilliseconds.map { " with a sample in the last \(formatDuration($0))" } ?? ""
        for spec in policy.metrics {
            let (query, shape) = MetricQueries.query(for: spec, policy: policy)
            do {
                let vector = try await metrics.vector(query, at: now.milliseconds)
                switch shape {
                case .total:
                    observations.append(vector.isEmpty ? .unavailable("unable to get metric \(spec.name): the query \(query) returned nothing\(recent)")
                                        : .total(Int64((vector.reduce(0) { $0 + $1.value } * 1000).rounded(.up))))
                case .perPod:
                    var perPod: [String: PodMetric] = [:]
                    for sample in vector {
                        // Known pods are the workload's (its selector's); a pod of another workload whose
                        // name shares the prefix is not counted, as the HPA's selector-based query would not.
                        guard let pod = sample.labels["pod"], known?.contains(pod) ?? true else { continue }
                        perPod[pod] = PodMetric(value: Int64((sample.value * 1000).rounded(.up)), timestamp: now, windowSeconds: 60)
                        reporting.insert(pod)
                    }
                    observations.append(perPod.isEmpty ? .unavailable("unable to get metric \(spec.name): the query \(query) returned no pods\(recent)") : .perPod(perPod))
                    if workload.pods == nil, case .utilization = spec.target, case .resource(let resource) = spec.source {
                        // Without them the calculator reports the missing request; the metric itself stands.
                        let answer = try? await metrics.vector(MetricQueries.requests(resource: resource, policy: policy), at: now.milliseconds)
                        for sample in answer ?? [] {
                            if let pod = sample.labels["pod"] { requests[pod, default: [:]]["pod", default: [:]][resource] = Int64((sample.value * 1000).rounded()) }
                        }
                    }
                }
            } catch {
                observations.append(.unavailable("unable to get metric \(spec.name): \(error)"))
            }
        }
        var triggerObservations: [TriggerObservation] = []
        for trigger in policy.triggers {
            triggerObservations.append(await Self.observe(trigger, metrics: metrics, at: now))
        }
        let pods = workload.pods ?? reporting.sorted().map { name in
            PodState(name: name, phase: .running, ready: true, readyTransitionTime: now.addingTimeInterval(-3600),
                     startTime: now.addingTimeInterval(-3600), requests: requests[name] ?? [:])
        }
        let decision = evaluator.decide(PolicyInput(now: now, specReplicas: workload.specReplicas, statusReplicas: workload.statusReplicas,
                                                    pods: pods, observations: observations, triggerObservations: triggerObservations))
        if let lead = nodeLeadSeconds {
            upcomingReplicas = max(evaluator.upcomingFloor(now: now, lead: lead, pods: pods), decision.desiredReplicas)
            let withRequests = pods.filter { !$0.requests.isEmpty }
            if !withRequests.isEmpty {
                let cpu = withRequests.reduce(Int64(0)) { sum, pod in sum + pod.requests.values.reduce(0) { $0 + ($1["cpu"] ?? 0) } }
                let memory = withRequests.reduce(Int64(0)) { sum, pod in sum + pod.requests.values.reduce(0) { $0 + ($1["memory"] ?? 0) / 1000 } }
                let count = Int64(withRequests.count)
                podRequests = ResourceAmounts(cpuMilli: (cpu + count - 1) / count, memoryBytes: (memory + count - 1) / count, pods: 1)
            }
        }
        return decision
    }

    /// A trigger's condition at `now`: it holds while its query returns any sample (or a non-zero scalar).
    static func observe(_ trigger: StepTrigger, metrics: any QueryEngine, at now: Date) async -> TriggerObservation {
        do {
            return condition(try await metrics.instant(trigger.when, at: now.milliseconds))
        } catch {
            return .unavailable("\(error)")
        }
    }

    /// A condition's value read as whether it holds: any sample of a vector, or a non-zero scalar.
    static func condition(_ value: QueryValue) -> TriggerObservation {
        switch value {
        case .vector(let elements): elements.isEmpty ? .clear : .holds
        case .scalar(_, let number): number != 0 && !number.isNaN ? .holds : .clear
        case let other: .unavailable("the condition returned a \(other.typeName), not an instant vector or a scalar")
        }
    }
}
