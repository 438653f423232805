import Foundation
import Logging
import Scaling
import ServiceLifecycle

/// Evaluates every loaded policy along the clock, each at its own interval: metrics read in-process
/// from storage, the workload from Kubernetes. Decisions are published (API, gauges, log) and not
/// applied: Surge does not change replica counts yet.
public struct ScalingService: Service {
    let policies: [ScalingPolicy]
    let metrics: any MetricSource
    let workloads: any WorkloadSource
    let decisions: ScalingDecisions
    let now: @Sendable () -> Date
    let logger: Logger

    public init(policies: [ScalingPolicy], metrics: any MetricSource, workloads: any WorkloadSource, decisions: ScalingDecisions,
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger) {
        self.policies = policies
        self.metrics = metrics
        self.workloads = workloads
        self.decisions = decisions
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        logger.notice("scaling policies are evaluated and their decisions published at /api/v1/scaling/decisions; Surge does not apply them to workloads yet",
                      metadata: ["policies": "\(policies.count)"])
        await withDiscardingTaskGroup { group in
            for policy in policies {
                group.addTask { await evaluate(policy) }
            }
        }
    }

    private func evaluate(_ policy: ScalingPolicy) async {
        var evaluation = LiveEvaluation(policy: policy)
        let metadata: Logger.Metadata = ["policy": "\(policy.name)", "target": "\(policy.target.namespace)/\(policy.target.name)"]
        if policy.predictive != nil {
            let counts = await evaluation.prime(from: metrics, now: now())
            logger.info("forecast primed from storage", metadata: metadata.merging(["values": "\(counts)"]) { $1 })
        }
        var lastError: String?
        var lastDesired: Int?
        while !Task.isShuttingDownGracefully {
            let started = ContinuousClock.now
            let time = now()
            do {
                let state = try await workloads.state(of: policy.target)
                let decision = await evaluation.evaluate(now: time, metrics: metrics, workload: state)
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
