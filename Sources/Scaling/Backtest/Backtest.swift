import Foundation

/// How a backtest replays a trace.
public struct BacktestOptions: Sendable, Equatable {
    /// Demand one ready pod serves at 100%.
    public var capacityPerPod: Double
    public var podStartupSeconds: Double
    public var stepSeconds: Double
    /// How old the metric values are when the policy decides (scrape and collection delay).
    public var metricLagSeconds: Double
    /// The HPA baseline: its sync period and the age of metrics-server values.
    public var hpaSyncSeconds: Double
    public var hpaMetricLagSeconds: Double
    /// The reference HPA's target, a fraction of a pod's capacity (0.7: 70 requests per second of
    /// 100), independent of the policy's.
    public var baselineTarget: Double
    /// Whether demand between two trace points is interpolated; otherwise each value holds for its
    /// whole interval, so no rise is seen before it happens.
    public var interpolate: Bool
    /// When set, pods also need nodes: the report adds pending-pod seconds and node-hours.
    public var nodes: NodeBacktestOptions?

    public init(capacityPerPod: Double, podStartupSeconds: Double, stepSeconds: Double = 15, metricLagSeconds: Double = 15,
                hpaSyncSeconds: Double = 15, hpaMetricLagSeconds: Double = 30, baselineTarget: Double = 0.7, interpolate: Bool = false,
                nodes: NodeBacktestOptions? = nil) {
        self.nodes = nodes
        self.baselineTarget = baselineTarget
        self.interpolate = interpolate
        self.capacityPerPod = capacityPerPod
        self.podStartupSeconds = podStartupSeconds
        self.stepSeconds = stepSeconds
        self.metricLagSeconds = metricLagSeconds
        self.hpaSyncSeconds = hpaSyncSeconds
        self.hpaMetricLagSeconds = hpaMetricLagSeconds
    }
}

/// One variant's figures over the whole trace.
public struct BacktestFigures: Sendable, Equatable, Codable {
    public var variant: String
    /// Seconds during which demand exceeded the ready pods' capacity.
    public var underProvisionedSeconds: Double
    /// Demand above ready capacity over all demand, both integrated over time.
    public var unservedDemandFraction: Double
    /// Pods that existed (starting or ready) times hours.
    public var replicaHours: Double
    /// Changes of the desired replica count.
    public var scaleActions: Int
    public var peakReplicas: Int
}

/// Per step: demand, and per variant the desired and ready replicas.
public struct BacktestTimeline: Sendable {
    public var start: Double
    public var step: Double
    public var demand: [Double] = []
    public var desired: [[Int32]]
    public var ready: [[Int32]]
    /// The policy's floor from schedules and forecasts at each step (0 where none), as replicas.
    public var floor: [Int32] = []
    /// With nodes: per variant, the nodes (booting or ready) at each step.
    public var nodes: [[Int32]] = []
}

/// What a backtest simulates at one decision, for threshold triggers' conditions to read: the
/// workload's pods (named after the target) with the metric values the policy sees, after the lag.
public struct SimulatedWorld: Sendable {
    public struct Pod: Sendable {
        public var name: String
        /// Demand per ready pod, as the policy's per-pod metrics see it; nil for a pod not yet reporting.
        public var value: Double?
        /// CPU cores in use (one core requested per pod).
        public var cpuCores: Double?
    }

    public var time: Date
    /// When the values were current: `time` less the metric lag.
    public var metricTime: Date
    public var demand: Double
    public var pods: [Pod]
    public var replicas: Int
    public var readyReplicas: Int
}

/// Answers threshold triggers' conditions in a backtest, step by step (evaluations come in time order).
public protocol BacktestConditions {
    mutating func observe(_ triggers: [StepTrigger], in world: SimulatedWorld, policy: ScalingPolicy) -> [TriggerObservation]
}

/// How a threshold trigger behaved over a backtest.
public struct BacktestTriggerFigures: Sendable, Equatable, Codable {
    public var name: String
    /// Decisions at which its condition held, at which it fired, and scale actions it drove.
    public var held: Int
    public var fired: Int
    public var drove: Int
    /// Evaluations that failed (their first error is kept).
    public var failed: Int
    public var firstError: String?
}

public struct BacktestResult: Sendable {
    public var policy: BacktestFigures
    /// The HPA with the policy's metrics and target.
    public var hpa: BacktestFigures
    /// Exactly enough ready capacity at every step (at least one pod), each pod started one start-up ahead.
    public var oracle: BacktestFigures
    /// The HPA at the reference target (`baselineTarget` of capacity), minReplicas 1: what a user would run.
    public var reference: BacktestFigures
    public var timeline: BacktestTimeline
    public var options: BacktestOptions
    /// The policy's threshold triggers over the replay.
    public var triggers: [BacktestTriggerFigures] = []
    /// With nodes: each variant's nodes, in the variants' order; the policy's start ahead of the
    /// pods its floors will want, the HPAs' as Cluster Autoscaler's do, on Pending pods.
    public var nodes: [NodeFigures] = []
    /// In the timeline's order.
    public var variants: [String] { [policy.variant, hpa.variant, oracle.variant, reference.variant] }
    public var figures: [BacktestFigures] { [policy, hpa, oracle, reference] }
}

/// Replays a demand trace through the policy's decisions with a simulated clock. The policy's
/// metrics see demand divided among ready pods (per-pod metrics) or the whole demand (Object,
/// External and PromQL metrics); CPU is modelled as one core requested per pod, busy in proportion
/// to its share of capacity. New pods become ready after the start-up time; removed pods go at
/// once, starting ones first, as a ReplicaSet picks them. The same simulator runs the HPA
/// (default behavior, no schedules or forecasts) and an oracle that knows the future.
public enum Backtest {
    /// `conditions` answers the policy's threshold triggers; without it they cannot be replayed and
    /// every evaluation of them fails (and says so in the figures).
    public static func run(trace: DemandTrace, policy: ScalingPolicy, options: BacktestOptions, conditions: (any BacktestConditions)? = nil,
                           progress: (Double) -> Void = { _ in }) -> BacktestResult {
        let steps = Int(((trace.times.last! - trace.times.first!) / options.stepSeconds).rounded(.down)) + 1
        var cursor = DemandTrace.Cursor(trace, interpolate: options.interpolate)
        let demand = (0..<steps).map { cursor.value(at: trace.times[0] + Double($0) * options.stepSeconds) }
        var policy = policy
        // The forecast looks ahead by the pod start-up the backtest simulates, unless the policy says otherwise.
        if var predictive = policy.predictive, !predictive.podStartupGiven {
            predictive.podStartupSeconds = options.podStartupSeconds
            policy.predictive = predictive
        }
        var hpaPolicy = policy
        hpaPolicy.name = "hpa"
        hpaPolicy.behavior = nil
        hpaPolicy.schedules = []
        hpaPolicy.predictive = nil
        hpaPolicy.triggers = []
        hpaPolicy.intervalSeconds = options.hpaSyncSeconds
        let percent = String(format: "%g", options.baselineTarget * 100)
        let referencePolicy = ScalingPolicy(
            name: "hpa@\(percent)%", target: policy.target, minReplicas: 1, maxReplicas: max(policy.maxReplicas, 1),
            metrics: [MetricSpecification(source: .pods("requests_per_second"), target: .averageValue(Int64(options.baselineTarget * options.capacityPerPod * 1000)))],
            intervalSeconds: options.hpaSyncSeconds)
        var timeline = BacktestTimeline(start: trace.times[0], step: options.stepSeconds, demand: demand,
                                        desired: Array(repeating: [], count: 4), ready: Array(repeating: [], count: 4))
        let total = Double(steps) * 3
        var conditions = conditions
        var triggers = policy.triggers.map { BacktestTriggerFigures(name: $0.name, held: 0, fired: 0, drove: 0, failed: 0) }
        var ahead: [Int32] = []
        let policyFigures = simulate(demand: demand, start: trace.times[0], policy: policy, variant: "policy",
                                     lag: options.metricLagSeconds, options: options, conditions: &conditions, triggers: &triggers,
                                     desired: &timeline.desired[0], ready: &timeline.ready[0], floor: &timeline.floor,
                                     nodeLead: options.nodes?.bootSeconds, ahead: &ahead) {
            progress(Double($0) / total)
        }
        var none: (any BacktestConditions)?
        var noTriggers: [BacktestTriggerFigures] = []
        var unused: [Int32] = []
        var unusedAhead: [Int32] = []
        let hpaFigures = simulate(demand: demand, start: trace.times[0], policy: hpaPolicy, variant: "hpa",
                                  lag: options.hpaMetricLagSeconds, options: options, conditions: &none, triggers: &noTriggers,
                                  desired: &timeline.desired[1], ready: &timeline.ready[1], floor: &unused, nodeLead: nil, ahead: &unusedAhead) {
            progress((Double(steps) + Double($0)) / total)
        }
        let referenceFigures = simulate(demand: demand, start: trace.times[0], policy: referencePolicy, variant: referencePolicy.name,
                                        lag: options.hpaMetricLagSeconds, options: options, conditions: &none, triggers: &noTriggers,
                                        desired: &timeline.desired[3], ready: &timeline.ready[3], floor: &unused, nodeLead: nil, ahead: &unusedAhead) {
            progress((2 * Double(steps) + Double($0)) / total)
        }
        let oracleFigures = oracle(demand: demand, options: options, desired: &timeline.desired[2], ready: &timeline.ready[2])
        var nodeFigures: [NodeFigures] = []
        if let nodes = options.nodes {
            timeline.nodes = Array(repeating: [], count: 4)
            for (index, name) in ["policy", "hpa", "oracle", referencePolicy.name].enumerated() {
                nodeFigures.append(index == 2
                    ? NodeBacktest.oracle(pods: timeline.desired[2], step: options.stepSeconds, options: nodes, nodesOut: &timeline.nodes[2])
                    : NodeBacktest.simulate(pods: timeline.desired[index], ahead: index == 0 ? ahead : nil, step: options.stepSeconds,
                                            options: nodes, variant: name, nodesOut: &timeline.nodes[index]))
            }
        }
        progress(1)
        return BacktestResult(policy: policyFigures, hpa: hpaFigures, oracle: oracleFigures, reference: referenceFigures, timeline: timeline,
                              options: options, triggers: triggers, nodes: nodeFigures)
    }

    /// Demand one pod carries at the policy's target: what the oracle provisions for.
    static func targetPerPod(_ policy: ScalingPolicy, options: BacktestOptions) -> Double {
        let perPod: [Double] = policy.metrics.map { spec in
            switch spec.target {
            case .utilization(let percent): options.capacityPerPod * Double(percent) / 100
            case .averageValue(let milli), .value(let milli): Double(milli) / 1000
            }
        }
        return perPod.min() ?? options.capacityPerPod
    }

    static func initialReplicas(_ demand: Double, _ policy: ScalingPolicy, _ options: BacktestOptions) -> Int {
        min(max(Int((demand / targetPerPod(policy, options: options)).rounded(.up)), policy.minReplicas), policy.maxReplicas)
    }

    static func simulate(demand: [Double], start: Double, policy: ScalingPolicy, variant: String, lag: Double, options: BacktestOptions,
                         conditions: inout (any BacktestConditions)?, triggers: inout [BacktestTriggerFigures],
                         desired desiredOut: inout [Int32], ready readyOut: inout [Int32], floor floorOut: inout [Int32],
                         nodeLead: Double?, ahead aheadOut: inout [Int32], progress: (Int) -> Void) -> BacktestFigures {
        var evaluator = PolicyEvaluator(policy: policy)
        var floor: Int32 = 0
        // The pods the policy's floors will want within a node's boot time, for starting nodes early.
        var upcoming: Int32 = 0
        let step = options.stepSeconds
        // Pods by creation, each with the time it was created and when it becomes ready.
        var pods: [(created: Double, readyAt: Double, id: Int)] = []
        var nextID = 0
        let initial = initialReplicas(demand[0], policy, options)
        for _ in 0..<initial {
            pods.append((start - options.podStartupSeconds - 3600, start - 3600, nextID))
            nextID += 1
        }
        var readyHistory: [Int32] = []
        readyHistory.reserveCapacity(demand.count)
        desiredOut.reserveCapacity(demand.count)
        readyOut.reserveCapacity(demand.count)
        var figures = BacktestFigures(variant: variant, underProvisionedSeconds: 0, unservedDemandFraction: 0, replicaHours: 0,
                                      scaleActions: 0, peakReplicas: initial)
        var unserved = 0.0
        var served = 0.0
        let lagSteps = Int((lag / step).rounded())
        let decideEvery = max(Int((policy.intervalSeconds / step).rounded()), 1)
        let cpuPerPod: Int64 = 1000
        for index in demand.indices {
            let now = start + Double(index) * step
            let readyCount = pods.reduce(0) { $0 + ($1.readyAt <= now ? 1 : 0) }
            readyHistory.append(Int32(readyCount))
            if index % decideEvery == 0 {
                let lagged = max(index - lagSteps, 0)
                let laggedTime = start + Double(lagged) * step
                let laggedReady = max(Int(readyHistory[lagged]), 1)
                let perPod = demand[lagged] / Double(laggedReady)
                let date = Date(timeIntervalSince1970: now)
                let podStates = pods.map { pod in
                    PodState(name: "pod-\(pod.id)", phase: .running, ready: pod.readyAt <= now,
                             readyTransitionTime: Date(timeIntervalSince1970: pod.readyAt <= now ? pod.readyAt : pod.created),
                             startTime: Date(timeIntervalSince1970: pod.created), requests: ["app": ["cpu": cpuPerPod, "memory": cpuPerPod]])
                }
                var reporting: [String: PodMetric] = [:]
                for pod in pods where pod.readyAt <= laggedTime {
                    reporting["pod-\(pod.id)"] = PodMetric(value: 0, timestamp: Date(timeIntervalSince1970: laggedTime), windowSeconds: 30)
                }
                let observations: [MetricObservation] = policy.metrics.map { spec in
                    switch spec.source {
                    case .resource, .containerResource:
                        let usage = Int64((perPod / options.capacityPerPod * Double(cpuPerPod)).rounded())
                        return .perPod(reporting.mapValues { PodMetric(value: usage, timestamp: $0.timestamp, windowSeconds: 30) })
                    case .pods:
                        let value = Int64((perPod * 1000).rounded())
                        return .perPod(reporting.mapValues { PodMetric(value: value, timestamp: $0.timestamp, windowSeconds: 30) })
                    case .object, .external, .promql:
                        if case .value = spec.target { return .total(Int64((perPod * 1000).rounded())) }
                        return .total(Int64((demand[lagged] * 1000).rounded()))
                    }
                }
                var triggerObservations: [TriggerObservation] = []
                if !policy.triggers.isEmpty {
                    let world = SimulatedWorld(
                        time: date, metricTime: Date(timeIntervalSince1970: laggedTime), demand: demand[lagged],
                        pods: pods.map { pod in
                            let reporting = pod.readyAt <= laggedTime
                            return SimulatedWorld.Pod(name: "\(policy.target.name)-\(pod.id)", value: reporting ? perPod : nil,
                                                      cpuCores: reporting ? perPod / options.capacityPerPod : nil)
                        },
                        replicas: pods.count, readyReplicas: readyCount)
                    triggerObservations = conditions?.observe(policy.triggers, in: world, policy: policy)
                        ?? policy.triggers.map { _ in .unavailable("trigger conditions are not replayed in this backtest") }
                }
                let decision = evaluator.decide(PolicyInput(now: date, specReplicas: pods.count, pods: podStates, observations: observations,
                                                            triggerObservations: triggerObservations))
                let wanted = decision.desiredReplicas
                floor = Int32(max(decision.schedule.replicas, decision.forecast?.replicas ?? 0))
                if let nodeLead { upcoming = Int32(evaluator.upcomingFloor(now: date, lead: nodeLead, pods: podStates)) }
                for (index, outcome) in decision.triggers.enumerated() where index < triggers.count {
                    if triggerObservations[index] == .holds { triggers[index].held += 1 }
                    if outcome.status == .firing { triggers[index].fired += 1 }
                    if case .unavailable(let message) = triggerObservations[index] {
                        triggers[index].failed += 1
                        if triggers[index].firstError == nil { triggers[index].firstError = message }
                    }
                    if outcome.name == decision.reactive.decidingTrigger && wanted != pods.count { triggers[index].drove += 1 }
                }
                if wanted != pods.count {
                    figures.scaleActions += 1
                    evaluator.recordScale(from: pods.count, to: wanted, at: date)
                }
                if wanted > pods.count {
                    for _ in pods.count..<wanted {
                        pods.append((now, now + options.podStartupSeconds, nextID))
                        nextID += 1
                    }
                } else if wanted < pods.count {
                    // A ReplicaSet removes pods that are not ready first, then the newest.
                    let ordered = pods.sorted { ($0.readyAt <= now ? 1 : 0, $1.created) < ($1.readyAt <= now ? 1 : 0, $0.created) }
                    let removed = Set(ordered.prefix(pods.count - wanted).map(\.id))
                    pods.removeAll { removed.contains($0.id) }
                }
                if index % 2048 == 0 { progress(index) }
            }
            let ready = pods.reduce(0) { $0 + ($1.readyAt <= now ? 1 : 0) }
            figures.peakReplicas = max(figures.peakReplicas, pods.count)
            desiredOut.append(Int32(pods.count))
            readyOut.append(Int32(ready))
            floorOut.append(floor)
            if nodeLead != nil { aheadOut.append(max(upcoming, Int32(pods.count))) }
            account(demand[index], ready: ready, pods: pods.count, options: options, figures: &figures, unserved: &unserved, served: &served)
        }
        figures.unservedDemandFraction = served > 0 ? unserved / served : 0
        return figures
    }

    static func account(_ demand: Double, ready: Int, pods: Int, options: BacktestOptions, figures: inout BacktestFigures,
                        unserved: inout Double, served: inout Double) {
        let capacity = Double(ready) * options.capacityPerPod
        if demand > capacity {
            figures.underProvisionedSeconds += options.stepSeconds
            unserved += (demand - capacity) * options.stepSeconds
        }
        served += demand * options.stepSeconds
        figures.replicaHours += Double(pods) * options.stepSeconds / 3600
    }

    /// Knows the future: exactly the ready capacity demand needs at every step (at least one pod),
    /// each pod started exactly one start-up time before it is needed and removed as soon as no
    /// later need within the start-up time holds it. It owes nothing to the policy.
    static func oracle(demand: [Double], options: BacktestOptions,
                       desired desiredOut: inout [Int32], ready readyOut: inout [Int32]) -> BacktestFigures {
        let need = demand.map { max(Int(($0 / options.capacityPerPod).rounded(.up)), 1) }
        let startupSteps = Int((options.podStartupSeconds / options.stepSeconds).rounded(.up))
        var counts = [Int](repeating: 0, count: need.count)
        for index in need.indices {
            counts[index] = need[index...min(index + startupSteps, need.count - 1)].max()!
        }
        var figures = BacktestFigures(variant: "oracle", underProvisionedSeconds: 0, unservedDemandFraction: 0, replicaHours: 0,
                                      scaleActions: 0, peakReplicas: counts.max() ?? 0)
        var unserved = 0.0
        var served = 0.0
        for index in need.indices {
            let ready = index < startupSteps ? counts[0...index].min()! : counts[(index - startupSteps)...index].min()!
            if index > 0 && counts[index] != counts[index - 1] { figures.scaleActions += 1 }
            desiredOut.append(Int32(counts[index]))
            readyOut.append(Int32(ready))
            account(demand[index], ready: ready, pods: counts[index], options: options, figures: &figures, unserved: &unserved, served: &served)
        }
        figures.unservedDemandFraction = served > 0 ? unserved / served : 0
        return figures
    }
}
