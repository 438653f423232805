import Actuators
import Foundation
import Kubernetes
import Logging
import Scaling
import ServiceLifecycle
import Synchronization
import TimeSeriesCore

/// Evaluates every loaded policy along the clock, each at its own interval: metrics read through the
/// query seam, the workload from Kubernetes. Between those syncs, a sample of one of the policy's
/// metrics arriving in storage (delivered by `arrivals` as it is stored) triggers a fresh decision
/// at once, on the workload as last read; such a decision is a preview whose recommendation does
/// not enter the controller's history unless its scale-up is applied (then it counts as a sync at
/// that moment, so scale-down stabilizes from it), so stabilization stays the HPA's. When to
/// read, decide and sleep is `ScalingLoop`'s; this service performs what it says.
/// With an actuator, a sync decision that changes the replica count, and a decision between syncs
/// that scales up, is written through the scale subresource (`apply`): unless the policy or the server is a dry run or another autoscaler scales
/// the target; only a write the API server accepted enters the controller's history. Without one,
/// decisions are published (API, gauges, log) only. A reload (SIGHUP, `POST /-/reload`) re-reads the policy files, as Prometheus
/// re-reads its rule files: a policy that did not change keeps its state (stabilization history,
/// forecast), and files that no longer load leave the running policies as they were.
public struct ScalingService: Service {
    let policies: [ScalingPolicy]
    let reload: @Sendable () throws -> [ScalingPolicy]
    let metrics: any QueryEngine
    let workloads: any WorkloadSource
    let decisions: ScalingDecisions
    let arrivals: (any SampleArrivals)?
    /// What writes the decisions; nil publishes them only.
    let actuator: (any ScaleActuator)?
    /// Every policy a dry run: decide, publish and audit, never write.
    let dryRun: Bool
    /// With several replicas, only the Lease's holder writes; nil: this replica always may.
    let leadership: Leadership?
    /// Where every decision and action is recorded; nil records none.
    let audit: AuditTrail?
    /// How often replicas may change, per target and overall.
    let rateLimit: SharedActionRateLimit
    /// Reload requests (SIGHUP, `POST /-/reload`).
    let reloads: ReloadHub
    /// The lookback of `metrics`, which is the staleness bound: said in a held decision's reason.
    let metricMaxAgeMilliseconds: Int64?
    /// Per policy name: the boot time of the node groups that serve it, how far ahead its upcoming floor looks.
    let nodeLeads: [String: Double]
    let clock: any LoopClock
    let logger: Logger

    /// `reload` reads the policy files again; by default the policies never change. Without
    /// `arrivals` a policy decides at its interval only.
    public init(policies: [ScalingPolicy], reload: (@Sendable () throws -> [ScalingPolicy])? = nil,
                metrics: any QueryEngine, workloads: any WorkloadSource, decisions: ScalingDecisions, arrivals: (any SampleArrivals)? = nil,
                actuator: (any ScaleActuator)? = nil, dryRun: Bool = false, leadership: Leadership? = nil, audit: AuditTrail? = nil,
                rateLimit: ActionRateLimit = ActionRateLimit(), metricMaxAgeMilliseconds: Int64? = nil, nodeLeads: [String: Double] = [:],
                reloads: ReloadHub = ReloadHub(), clock: any LoopClock = SystemClock(), logger: Logger) {
        self.nodeLeads = nodeLeads
        self.rateLimit = SharedActionRateLimit(rateLimit)
        self.metricMaxAgeMilliseconds = metricMaxAgeMilliseconds
        self.audit = audit
        self.leadership = leadership
        self.actuator = actuator
        self.dryRun = dryRun
        self.reloads = reloads
        self.policies = policies
        self.reload = reload ?? { [policies] in policies }
        self.metrics = metrics
        self.workloads = workloads
        self.decisions = decisions
        self.arrivals = arrivals
        self.clock = clock
        self.logger = logger
    }

    /// Each policy's evaluation between generations, so an unchanged policy carries on after a reload.
    final class Evaluations: Sendable {
        let stored = Mutex<[String: LiveEvaluation]>([:])
    }

    public func run() async throws {
        logger.notice(actuator == nil ? "scaling policies are evaluated and their decisions published at /api/v1/scaling/decisions; nothing applies them"
                        : dryRun ? "scaling policies are evaluated in dry run: decisions are published, not applied"
                        : "scaling policies are evaluated and their decisions applied through the scale subresource",
                      metadata: ["policies": "\(policies.count)"])
        let evaluations = Evaluations()
        var generation = start(policies, evaluations: evaluations)
        for await request in reloads.requests(for: "scaling policies").cancelOnGracefulShutdown() {
            let reloaded: [ScalingPolicy]
            do {
                reloaded = try reload()
            } catch {
                logger.error("scaling policies not reloaded; the running ones stay", metadata: ["error": "\(error)"])
                request.finish("\(error)")
                continue
            }
            defer { request.finish(nil) }
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
        var kept: LiveEvaluation
        if let stored = evaluations.stored.withLock({ $0[key] }), stored.policy == policy {
            kept = stored
        } else {
            kept = LiveEvaluation(policy: policy, metricMaxAgeMilliseconds: metricMaxAgeMilliseconds, nodeLeadSeconds: nodeLeads[policy.name])
            if policy.predictive != nil {
                let counts = await kept.prime(from: metrics, now: Date(milliseconds: clock.now))
                logger.info("forecast primed from storage", metadata: metadata.merging(["values": "\(counts)"]) { $1 })
            }
        }
        let primed = kept
        let selectors = arrivals == nil ? [] : MetricQueries.selectorMatchers(policy)
        let streams = selectors.compactMap { arrivals?.arrivals(matching: $0) }
        if streams.count < selectors.count {
            logger.warning("storage has no append watch left for this policy; it decides at its interval only", metadata: metadata)
        }
        let (events, sink) = AsyncStream.makeStream(of: ScalingLoop.Event.self)
        // Arrivals while one is waiting to be read add nothing: the decision that reads it sees them.
        let arrivalPending = ArrivalFlag()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for stream in streams {
                    group.addTask {
                        for await _ in stream where !arrivalPending.raise() { sink.yield(.arrival) }
                    }
                }
                var evaluation = primed
                var loop = ScalingLoop(interval: Int64(policy.intervalSeconds * 1000))
                var action = loop.next(.start, now: clock.now)
                var latestWorkload: WorkloadState?
                var lastError: String?
                var lastDesired: Int?
                var timer: Task<Void, Never>?
                var pending = events.makeAsyncIterator()
                run: while !Task.isCancelled {
                    switch action {
                    case .readWorkload:
                        latestWorkload = await readWorkload(policy, lastError: &lastError, metadata: metadata)
                        if Task.isCancelled { break run }
                        action = loop.next(.workloadRead(succeeded: latestWorkload != nil), now: clock.now)
                    case .decide(let trigger):
                        guard let workload = latestWorkload else { action = loop.next(.decided, now: clock.now); continue }
                        let started = clock.nanoseconds
                        let time = Date(milliseconds: clock.now)
                        let decision: PolicyDecision
                        var preview: LiveEvaluation?
                        if trigger == .interval {
                            decision = await evaluation.evaluate(now: time, metrics: metrics, workload: workload)
                            evaluations.stored.withLock { $0[key] = evaluation }
                        } else {
                            // Between syncs a decision is a preview: the controller's history moves only at
                            // syncs, or when the preview's scale-up is applied (as a sync then would have).
                            var copy = evaluation
                            decision = await copy.evaluate(now: time, metrics: metrics, workload: workload)
                            preview = copy
                        }
                        decisions.record(decision, of: policy, at: time, trigger: trigger, seconds: clock.seconds(since: started),
                                         upcoming: (preview ?? evaluation).upcomingReplicas, podRequests: (preview ?? evaluation).podRequests)
                        audit?.record(Self.auditEntry(decision, of: policy, at: time, trigger: trigger))
                        // At a sync any change is applied; between syncs only a scale-up, at once (the
                        // behavior's policies still bound it: they count the scale events of their
                        // period); scale-down waits for the sync and its stabilization window.
                        let applies = trigger == .interval ? decision.desiredReplicas != workload.specReplicas
                            : decision.desiredReplicas > workload.specReplicas
                        if applies, actuator != nil {
                            var current = workload
                            await apply(decision, of: policy, evaluation: &evaluation, workload: &current, at: time,
                                        preview: preview, metadata: metadata)
                            evaluations.stored.withLock { $0[key] = evaluation }
                            // Decisions on arrivals until the next sync start from what was written.
                            latestWorkload = current
                        }
                        if decision.desiredReplicas != lastDesired {
                            logger.info("scaling decision", metadata: metadata.merging([
                                "current": "\(decision.reactive.currentReplicas)", "desired": "\(decision.desiredReplicas)",
                                "drivenBy": "\(decision.drivenBy.rawValue)", "trigger": "\(trigger.rawValue)",
                            ]) { $1 })
                            lastDesired = decision.desiredReplicas
                        }
                        action = loop.next(.decided, now: clock.now)
                    case .sleep(let deadline):
                        timer?.cancel()
                        timer = Task { [clock] in
                            if (try? await clock.sleep(until: deadline)) != nil { sink.yield(.wake) }
                        }
                        guard let event = await pending.next() else { break run }
                        if event == .arrival { arrivalPending.lower() }
                        action = loop.next(event, now: clock.now)
                    }
                }
                timer?.cancel()
                sink.finish()
                group.cancelAll()
            }
        }
    }

    /// Writes the decision's replica count: a dry run records what would have been done; another
    /// autoscaler on the target holds it; a 409 reads the workload and decides again; 5xx and
    /// network errors retry with backoff; any other refusal stops with the API's message. Only an
    /// accepted write enters the controller's history, and each outcome is published and recorded
    /// as an Event on the target, as the HPA records its rescales.
    /// A `preview` (the evaluation a decision between syncs was made on, a copy) decides again on a
    /// copy too; only when its scale is accepted does it become the controller's history, with its
    /// recommendation: the scale-down stabilization window then counts from that scale-up, as it
    /// would from a sync's.
    private func apply(_ first: PolicyDecision, of policy: ScalingPolicy, evaluation: inout LiveEvaluation, workload: inout WorkloadState,
                       at time: Date, preview: LiveEvaluation?, metadata: Logger.Metadata) async {
        var preview = preview
        guard let actuator else { return }
        var decision = first
        let from = workload.specReplicas
        let request = await actuator.writeRequest(for: policy.target)
        func publish(_ outcome: ScaleActionRecord.Outcome, status: Int? = nil, _ message: String, _ attempt: ScaleAttempt = ScaleAttempt()) {
            let record = ScaleActionRecord(time: time, from: from, to: decision.desiredReplicas, outcome: outcome, status: status,
                                           message: message, conflicts: attempt.conflicts, retries: attempt.retries)
            decisions.recordAction(record, of: policy)
            var entry = AuditEntry(time: time, kind: .action, policy: policy)
            entry.outcome = outcome.rawValue
            entry.from = from
            entry.to = record.to
            entry.status = status
            entry.message = message
            entry.conflicts = attempt.conflicts
            entry.retries = attempt.retries
            if [.applied, .failed].contains(outcome) {
                entry.request = request
            }
            audit?.record(entry)
            let level: Logger.Level = [.applied, .dryRun, .notLeader, .rateLimited].contains(outcome) ? .info : .warning
            logger.log(level: level, "scaling action", metadata: metadata.merging([
                "outcome": "\(outcome.rawValue)", "from": "\(from)", "to": "\(decision.desiredReplicas)", "message": "\(message)"]) { $1 })
        }
        if dryRun || policy.dryRun {
            publish(.dryRun, "dry run: \(from) → \(decision.desiredReplicas) replicas not applied")
            return
        }
        if let leadership, !leadership.isLeader(at: clock.now) {
            publish(.notLeader, "not the leader: the Lease \(leadership.lease) is held by \(leadership.holder.map { $0.isEmpty ? "nobody" : $0 } ?? "nobody")")
            return
        }
        do {
            let others = try await actuator.otherAutoscalers(of: policy.target)
            guard others.isEmpty else {
                publish(.refused, "\(others.joined(separator: ", ")) already scales \(policy.target.kind) \(policy.target.namespace)/\(policy.target.name); "
                        + "Surge leaves it alone: two controllers setting replicas undo each other")
                return
            }
        } catch {
            publish(.refused, "cannot tell whether another autoscaler scales \(policy.target.kind) \(policy.target.namespace)/\(policy.target.name), "
                    + "so it is left alone: \(error)")
            return
        }
        let key = "\(policy.target.kind)/\(policy.target.namespace)/\(policy.target.name)"
        if let held = rateLimit.take(key, at: clock.now) {
            publish(.rateLimited, "held: \(held)")
            return
        }
        var attempt = ScaleAttempt()
        while !Task.isCancelled {
            let answer = await actuator.setReplicas(decision.desiredReplicas, of: policy.target, resourceVersion: workload.resourceVersion)
            switch attempt.next(answer) {
            case .applied(let replicas, let resourceVersion):
                let reason = Self.rescaleReason(decision, from: workload.specReplicas, policy: policy)
                if let preview { evaluation = preview }
                evaluation.recordScale(from: workload.specReplicas, to: replicas, at: time)
                workload.specReplicas = replicas
                workload.resourceVersion = resourceVersion
                publish(.applied, "New size: \(replicas); reason: \(reason)", attempt)
                await actuator.recordEvent(on: policy.target, type: "Normal", reason: "SuccessfulRescale",
                                           message: "New size: \(replicas); reason: \(reason)", at: time)
                return
            case .decideAgain:
                // Someone changed the scale since it was read: decide again on what it is now.
                do {
                    workload = try await workloads.state(of: policy.target)
                } catch {
                    publish(.failed, "the scale changed and could not be read again: \(error)", attempt)
                    return
                }
                if preview != nil {
                    var copy = evaluation
                    decision = await copy.evaluate(now: time, metrics: metrics, workload: workload)
                    preview = copy
                } else {
                    decision = await evaluation.evaluate(now: time, metrics: metrics, workload: workload)
                }
                decisions.record(decision, of: policy, at: time, trigger: preview != nil ? .arrival : .interval, seconds: 0)
                if preview != nil ? decision.desiredReplicas <= workload.specReplicas : decision.desiredReplicas == workload.specReplicas { return }
            case .retry(let milliseconds):
                do { try await clock.sleep(for: .milliseconds(milliseconds)) } catch { return }
            case .failed(let status, let message):
                let reason = Self.rescaleReason(decision, from: workload.specReplicas, policy: policy)
                publish(.failed, status: status, message, attempt)
                await actuator.recordEvent(on: policy.target, type: "Warning", reason: "FailedRescale",
                                           message: "New size: \(decision.desiredReplicas); reason: \(reason); error: \(message)", at: time)
                return
            }
        }
    }

    static func auditEntry(_ decision: PolicyDecision, of policy: ScalingPolicy, at time: Date, trigger: DecisionTrigger) -> AuditEntry {
        var entry = AuditEntry(time: time, kind: .decision, policy: policy)
        entry.trigger = trigger.rawValue
        entry.currentReplicas = decision.reactive.currentReplicas
        entry.desiredReplicas = decision.desiredReplicas
        entry.drivenBy = decision.drivenBy.rawValue
        entry.explanation = decision.explanation
        return entry
    }

    /// The HPA's words for why the count changed: the metric that asked for most above its target,
    /// all metrics below target, or what else set the count.
    static func rescaleReason(_ decision: PolicyDecision, from current: Int, policy: ScalingPolicy) -> String {
        switch decision.drivenBy {
        case .schedule: return "schedule floor"
        case .forecast: return "forecast floor"
        case .minReplicas: return "below minReplicas"
        case .maxReplicas: return "above maxReplicas"
        case .trigger: return "trigger \(decision.reactive.decidingTrigger ?? "") fired"
        case .metrics:
            guard decision.desiredReplicas > current else { return "All metrics below target" }
            let proposals = decision.reactive.proposals
            // The metric that asked for the most; of equals the first the policy lists, as the HPA picks it.
            guard let driving = proposals.indices.filter({ proposals[$0].replicas != nil })
                .max(by: { (proposals[$0].replicas ?? 0) < (proposals[$1].replicas ?? 0) }) else { return "metrics above target" }
            let name = policy.metrics.indices.contains(driving) ? policy.metrics[driving].rescaleName : proposals[driving].metric
            return "\(name) above target"
        }
    }

    /// The workload's state, or nil (recorded and logged once per distinct error) when it cannot be read.
    private func readWorkload(_ policy: ScalingPolicy, lastError: inout String?, metadata: Logger.Metadata) async -> WorkloadState? {
        do {
            let workload = try await workloads.state(of: policy.target)
            lastError = nil
            return workload
        } catch {
            guard !Task.isCancelled else { return nil }
            let message = "cannot read the workload: \(error)"
            decisions.recordFailure(message, of: policy, at: Date(milliseconds: clock.now))
            if message != lastError {
                logger.warning("scaling policy not evaluated", metadata: metadata.merging(["error": "\(message)"]) { $1 })
                // Audited once per distinct error, as logged: an outage is in the trail, not every sync of it.
                var entry = AuditEntry(time: Date(milliseconds: clock.now), kind: .action, policy: policy)
                entry.outcome = ScaleActionRecord.Outcome.failed.rawValue
                entry.message = "held: \(message)"
                audit?.record(entry)
                lastError = message
            }
            return nil
        }
    }
}

/// Whether an arrival event waits to be read, shared by a policy's arrival forwarders and its loop.
final class ArrivalFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    /// Raises the flag; returns whether it was raised already.
    func raise() -> Bool { raised.exchange(true, ordering: .acquiringAndReleasing) }

    func lower() { raised.store(false, ordering: .releasing) }
}
