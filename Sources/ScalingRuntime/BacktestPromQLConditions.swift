import Foundation
import PromQL
import Scaling
import Synchronization
import TimeSeriesCore

/// Threshold triggers' conditions in a backtest, evaluated as PromQL against series built from the
/// simulated world every 15 s of it (values held between decisions):
///
/// - each Pods metric of the policy, per pod: `NAME{namespace, pod}`, the demand per ready pod;
/// - `container_cpu_usage_seconds_total{namespace, pod, container="app"}` (one core requested per pod,
///   busy in proportion to its share of capacity) and `kube_pod_container_resource_requests{..., resource="cpu"}` = 1;
/// - `kube_deployment_spec_replicas` and `kube_deployment_status_replicas_ready{namespace, deployment}`;
/// - each Object or External metric of the policy, `NAME{namespace}`, and `surge_backtest_demand`: the whole demand.
///
/// Pods are named after the target ("web-12") and get staleness markers when removed. A condition
/// that selects none of these series cannot be replayed: its evaluations fail and say why.
public struct BacktestPromQLConditions: BacktestConditions {
    /// Counts the selections that found series, to tell a condition that reads nothing simulated.
    final class CountingStore: SeriesQuerier {
        let store = MemorySeriesStore()
        let hits = Atomic<Int>(0)

        func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Series] {
            let found = store.select(matchers, mint: mint, maxt: maxt)
            if !found.isEmpty { hits.add(1, ordering: .relaxed) }
            return found
        }

        func series(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Labels] { store.series(matchers, mint: mint, maxt: maxt) }
        func labelNames(matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] {
            store.labelNames(matching: matching, mint: mint, maxt: maxt)
        }
        func labelValues(_ name: String, matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] {
            store.labelValues(name, matching: matching, mint: mint, maxt: maxt)
        }
    }

    static let sampleInterval: Int64 = 15_000
    /// How much of the simulated past is kept: the longest range a condition may read, plus the lookback.
    let retention: Int64
    let store = CountingStore()
    let engine: Engine
    var expressions: [String: Result<ParsedQuery, QueryError>] = [:]
    var lastStamp: Timestamp?
    var cpuSeconds: [String: Double] = [:]
    var livePods: Set<String> = []
    var lastPruned: Timestamp?

    public init(retention: Duration = .seconds(3600)) {
        self.retention = retention.inMilliseconds
        engine = Engine(querier: store, lookbackDelta: 5 * 60 * 1000)
    }

    public mutating func observe(_ triggers: [StepTrigger], in world: SimulatedWorld, policy: ScalingPolicy) -> [TriggerObservation] {
        let stamp = world.metricTime.milliseconds
        var times: [Timestamp] = []
        if let last = lastStamp, stamp > last {
            var next = last + Self.sampleInterval
            while next < stamp { times.append(next); next += Self.sampleInterval }
        }
        if lastStamp.map({ stamp > $0 }) ?? true { times.append(stamp) }
        for time in times {
            // CPU counters grow by the cores in use over the time since the previous sample.
            write(world, policy: policy, at: time, elapsed: Double(time - (lastStamp ?? time)) / 1000)
            lastStamp = time
        }
        // Pruned every 10 simulated minutes: often enough to stay small, rarely enough to cost little.
        if lastPruned.map({ stamp - $0 >= 600_000 }) ?? true {
            store.store.removeSamples(before: stamp - retention)
            lastPruned = stamp
        }
        return triggers.map { trigger in
            let parsed = expressions[trigger.when] ?? Result { () throws(QueryError) in
                do { return try Parser.parse(trigger.when) } catch { throw QueryError(.badData, "\(error)") }
            }
            expressions[trigger.when] = parsed
            do {
                let expression = try parsed.get()
                store.hits.store(0, ordering: .relaxed)
                let value = try engine.instant(expression, at: world.time.milliseconds)
                if store.hits.load(ordering: .relaxed) == 0 && !expression.selectors.isEmpty {
                    return .unavailable("its condition selects none of the series the backtest simulates")
                }
                return LiveEvaluation.condition(value)
            } catch {
                return .unavailable("\(error)")
            }
        }
    }

    private mutating func write(_ world: SimulatedWorld, policy: ScalingPolicy, at time: Timestamp, elapsed: Double) {
        let namespace = policy.target.namespace
        var seen: Set<String> = []
        for pod in world.pods {
            guard let value = pod.value else { continue }
            seen.insert(pod.name)
            for spec in policy.metrics {
                if case .pods(let name) = spec.source {
                    store.store.append(Labels(["__name__": name, "namespace": namespace, "pod": pod.name]), Sample(timestamp: time, value: value))
                }
            }
            let cpu = (cpuSeconds[pod.name] ?? 0) + (pod.cpuCores ?? 0) * elapsed
            cpuSeconds[pod.name] = cpu
            store.store.append(Labels(["__name__": "container_cpu_usage_seconds_total", "namespace": namespace, "pod": pod.name, "container": "app"]),
                               Sample(timestamp: time, value: cpu))
            store.store.append(Labels(["__name__": "kube_pod_container_resource_requests", "namespace": namespace, "pod": pod.name,
                                       "container": "app", "resource": "cpu", "unit": "core"]), Sample(timestamp: time, value: 1))
        }
        // Pods gone since: their series end, as a scrape of a vanished target ends them.
        for gone in livePods.subtracting(seen) {
            for labels in store.store.series([try! LabelMatcher(.equal, "pod", gone)], mint: .min, maxt: .max) {
                store.store.append(labels, Sample(timestamp: time, value: StaleNaN.value))
            }
            cpuSeconds[gone] = nil
        }
        livePods = seen
        let deployment = ["namespace": namespace, "deployment": policy.target.name]
        store.store.append(Labels(deployment.merging(["__name__": "kube_deployment_spec_replicas"]) { $1 }),
                           Sample(timestamp: time, value: Double(world.replicas)))
        store.store.append(Labels(deployment.merging(["__name__": "kube_deployment_status_replicas_ready"]) { $1 }),
                           Sample(timestamp: time, value: Double(world.readyReplicas)))
        store.store.append(Labels(["__name__": "surge_backtest_demand"]), Sample(timestamp: time, value: world.demand))
        for spec in policy.metrics {
            switch spec.source {
            case .object(let name), .external(let name):
                store.store.append(Labels(["__name__": name, "namespace": namespace]), Sample(timestamp: time, value: world.demand))
            default: break
            }
        }
    }
}
