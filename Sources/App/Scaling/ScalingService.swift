import Foundation
import Logging
import Scaling
import ServiceLifecycle
import Storage
import Synchronization
import TimeSeriesCore
import UnixSignals

/// Evaluates every loaded policy along the clock, each at its own interval: metrics read in-process
/// from storage, the workload from Kubernetes. Between those syncs, a sample of one of the policy's
/// metrics arriving in storage (seen through an append watch within `arrivalPoll`) triggers a fresh
/// decision at once, on the workload as last read; such a decision is a preview that does not enter
/// the controller's history, so stabilization and the scale-up limit per sync stay the HPA's.
/// Decisions are published (API, gauges, log) and not applied: Surge does not change replica counts
/// yet. SIGHUP re-reads the policy files, as Prometheus
/// re-reads its rule files: a policy that did not change keeps its state (stabilization history,
/// forecast), and files that no longer load leave the running policies as they were.
public struct ScalingService: Service {
    let policies: [ScalingPolicy]
    let reload: @Sendable () throws -> [ScalingPolicy]
    let metrics: any MetricSource
    let workloads: any WorkloadSource
    let decisions: ScalingDecisions
    let arrivals: Arrivals?
    let now: @Sendable () -> Date
    let logger: Logger

    /// Where new samples are noticed: `watch` registers matchers with storage, `unwatch` releases
    /// them; `poll` is how often a policy looks at its watches.
    public struct Arrivals: Sendable {
        public var watch: @Sendable ([LabelMatcher]) -> AppendWatch?
        public var unwatch: @Sendable (AppendWatch) -> Void
        public var poll: Duration

        public init(watch: @escaping @Sendable ([LabelMatcher]) -> AppendWatch?, unwatch: @escaping @Sendable (AppendWatch) -> Void,
                    poll: Duration = .milliseconds(20)) {
            self.watch = watch
            self.unwatch = unwatch
            self.poll = poll
        }
    }

    /// `reload` reads the policy files again; by default the policies never change.
    public init(policies: [ScalingPolicy], reload: (@Sendable () throws -> [ScalingPolicy])? = nil,
                metrics: any MetricSource, workloads: any WorkloadSource, decisions: ScalingDecisions, arrivals: Arrivals? = nil,
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.policies = policies
        self.reload = reload ?? { [policies] in policies }
        self.metrics = metrics
        self.workloads = workloads
        self.decisions = decisions
        self.arrivals = arrivals
        self.now = now
        self.logger = logger
    }

    /// Each policy's evaluation between generations, so an unchanged policy carries on after a reload.
    final class Evaluations: Sendable {
        let stored = Mutex<[String: LiveEvaluation]>([:])
    }

    public func run() async throws {
        logger.notice("scaling policies are evaluated and their decisions published at /api/v1/scaling/decisions; Surge does not apply them to workloads yet",
                      metadata: ["policies": "\(policies.count)"])
        let evaluations = Evaluations()
        let (requests, requested) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let hangups = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) { requested.yield() }
        }
        defer { hangups.cancel() }
        var generation = start(policies, evaluations: evaluations)
        for await _ in requests.cancelOnGracefulShutdown() {
            let reloaded: [ScalingPolicy]
            do {
                reloaded = try reload()
            } catch {
                logger.error("scaling policies not reloaded; the running ones stay", metadata: ["error": "\(error)"])
                continue
            }
            generation.cancel()
            await generation.value
            decisions.replace(with: reloaded)
            evaluations.stored.withLock { stored in
                stored = stored.filter { key, evaluation in reloaded.contains { ScalingDecisions.key($0) == key && $0 == evaluation.policy } }
            }
            logger.notice("scaling policies reloaded", metadata: ["policies": "\(reloaded.count)"])
            generation = start(reloaded, evaluations: evaluations)
        }
        generation.cancel()
        await generation.value
    }

    /// One evaluation loop per policy, until cancelled by a reload or ended by shutdown.
    private func start(_ policies: [ScalingPolicy], evaluations: Evaluations) -> Task<Void, Never> {
        Task {
            await withDiscardingTaskGroup { group in
                for policy in policies {
                    group.addTask { await evaluate(policy, evaluations: evaluations) }
                }
            }
        }
    }

    private func evaluate(_ policy: ScalingPolicy, evaluations: Evaluations) async {
        let key = ScalingDecisions.key(policy)
        let metadata: Logger.Metadata = ["policy": "\(policy.name)", "target": "\(policy.target.namespace)/\(policy.target.name)"]
        var evaluation: LiveEvaluation
        if let kept = evaluations.stored.withLock({ $0[key] }), kept.policy == policy {
            evaluation = kept
        } else {
            evaluation = LiveEvaluation(policy: policy)
            if policy.predictive != nil {
                let counts = await evaluation.prime(from: metrics, now: now())
                logger.info("forecast primed from storage", metadata: metadata.merging(["values": "\(counts)"]) { $1 })
            }
        }
        let selectors = arrivals == nil ? [] : MetricQueries.selectorMatchers(policy)
        let watches = arrivals.map { arrivals in selectors.compactMap(arrivals.watch) } ?? []
        if watches.count < selectors.count {
            logger.warning("storage has no append watch left for this policy; it decides at its interval only", metadata: metadata)
        }
        defer { if let arrivals { watches.forEach(arrivals.unwatch) } }
        func arrived() -> Int { watches.reduce(0) { $0 + $1.generation } }
        let interval = Duration.milliseconds(Int64(policy.intervalSeconds * 1000))
        var workload: WorkloadState?
        var syncedAt = ContinuousClock.now
        var seen = arrived()
        var lastError: String?
        var lastDesired: Int?
        var sync = true
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let started = ContinuousClock.now
            let time = now()
            if sync {
                syncedAt = started
                do {
                    workload = try await workloads.state(of: policy.target)
                    lastError = nil
                } catch {
                    guard !Task.isCancelled else { break }
                    workload = nil
                    let message = "cannot read the workload: \(error)"
                    decisions.recordFailure(message, of: policy, at: time)
                    if message != lastError {
                        logger.warning("scaling policy not evaluated", metadata: metadata.merging(["error": "\(message)"]) { $1 })
                        lastError = message
                    }
                }
            }
            if let workload {
                let decision: PolicyDecision
                if sync {
                    decision = await evaluation.evaluate(now: time, metrics: metrics, workload: workload)
                    evaluations.stored.withLock { $0[key] = evaluation }
                } else {
                    // Between syncs a decision is a preview: the controller's history only moves at syncs.
                    var preview = evaluation
                    decision = await preview.evaluate(now: time, metrics: metrics, workload: workload)
                }
                let elapsed = ContinuousClock.now - started
                decisions.record(decision, of: policy, at: time, trigger: sync ? .interval : .arrival,
                                 seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                if decision.desiredReplicas != lastDesired {
                    logger.info("scaling decision", metadata: metadata.merging([
                        "current": "\(decision.reactive.currentReplicas)", "desired": "\(decision.desiredReplicas)", "drivenBy": "\(decision.drivenBy)",
                        "trigger": "\(sync ? "interval" : "arrival")",
                    ]) { $1 })
                    lastDesired = decision.desiredReplicas
                }
            }
            // Sleep until the next sync, waking early when a watched series receives a sample.
            do {
                while true {
                    let remaining = syncedAt + interval - ContinuousClock.now
                    if remaining <= .zero { sync = true; break }
                    let generation = arrived()
                    if generation != seen && workload != nil { seen = generation; sync = false; break }
                    let nap = watches.isEmpty ? remaining : min(remaining, arrivals!.poll)
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: nap) }
                }
            } catch {
                break
            }
        }
    }
}
