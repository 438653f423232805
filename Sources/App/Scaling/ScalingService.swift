import Foundation
import Logging
import Scaling
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Evaluates every loaded policy along the clock, each at its own interval: metrics read in-process
/// from storage, the workload from Kubernetes. Decisions are published (API, gauges, log) and not
/// applied: Surge does not change replica counts yet. SIGHUP re-reads the policy files, as Prometheus
/// re-reads its rule files: a policy that did not change keeps its state (stabilization history,
/// forecast), and files that no longer load leave the running policies as they were.
public struct ScalingService: Service {
    let policies: [ScalingPolicy]
    let reload: @Sendable () throws -> [ScalingPolicy]
    let metrics: any MetricSource
    let workloads: any WorkloadSource
    let decisions: ScalingDecisions
    let now: @Sendable () -> Date
    let logger: Logger

    /// `reload` reads the policy files again; by default the policies never change.
    public init(policies: [ScalingPolicy], reload: (@Sendable () throws -> [ScalingPolicy])? = nil,
                metrics: any MetricSource, workloads: any WorkloadSource, decisions: ScalingDecisions,
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.policies = policies
        self.reload = reload ?? { [policies] in policies }
        self.metrics = metrics
        self.workloads = workloads
        self.decisions = decisions
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
        var lastError: String?
        var lastDesired: Int?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let started = ContinuousClock.now
            let time = now()
            do {
                let state = try await workloads.state(of: policy.target)
                let decision = await evaluation.evaluate(now: time, metrics: metrics, workload: state)
                evaluations.stored.withLock { $0[key] = evaluation }
                let elapsed = ContinuousClock.now - started
                decisions.record(decision, of: policy, at: time,
                                 seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                if decision.desiredReplicas != lastDesired {
                    logger.info("scaling decision", metadata: metadata.merging([
                        "current": "\(decision.reactive.currentReplicas)", "desired": "\(decision.desiredReplicas)", "drivenBy": "\(decision.drivenBy)",
                    ]) { $1 })
                    lastDesired = decision.desiredReplicas
                }
                lastError = nil
            } catch {
                guard !Task.isCancelled else { break }
                let message = "cannot read the workload: \(error)"
                decisions.recordFailure(message, of: policy, at: time)
                if message != lastError {
                    logger.warning("scaling policy not evaluated", metadata: metadata.merging(["error": "\(message)"]) { $1 })
                    lastError = message
                }
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int64(policy.intervalSeconds * 1000))) }
            } catch {
                break
            }
        }
    }
}
