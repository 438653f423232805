import Actuators
import Foundation
import Logging
import Scaling
import ScalingRuntime
import SurgeTestKit
import Synchronization
import Testing
import TimeSeriesCore

/// Decisions applied through an actuator, in-process on a test clock: written at syncs with the
/// resourceVersion they were made on, decided again on a conflict, retried on server errors,
/// stopped on refusals, held for dry runs and other autoscalers; only accepted writes count.
@Suite struct ScaleApplyTests {
    /// A scale subresource in memory: replicas and a resourceVersion that moves on every change,
    /// refusing writes made on an older version, as the API server does.
    final class Scale: WorkloadSource, ScaleActuator {
        struct State {
            var replicas = 2
            var version = 100
            var writes: [Int] = []
            var events: [String] = []
            /// Answers to give the next writes instead of taking them.
            var scripted: [ScaleAttempt.Answer] = []
            /// Changes another writer makes just before each of Surge's next writes.
            var interferences = 0
            var others: [String] = []
        }
        let state = Mutex(State())

        func state(of target: ScalingPolicy.TargetReference) async throws -> WorkloadState {
            state.withLock { WorkloadState(specReplicas: $0.replicas, resourceVersion: String($0.version)) }
        }

        func setReplicas(_ replicas: Int, of target: ScalingPolicy.TargetReference, resourceVersion: String?) async -> ScaleAttempt.Answer {
            state.withLock { state in
                if state.interferences > 0 {
                    state.interferences -= 1
                    state.replicas += 1
                    state.version += 1
                }
                if !state.scripted.isEmpty { return state.scripted.removeFirst() }
                guard resourceVersion == String(state.version) else {
                    return .refused(status: 409, message: "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified")
                }
                state.replicas = replicas
                state.version += 1
                state.writes.append(replicas)
                return .accepted(replicas: replicas, resourceVersion: String(state.version))
            }
        }

        func otherAutoscalers(of target: ScalingPolicy.TargetReference) async throws -> [String] {
            state.withLock { $0.others }
        }

        func recordEvent(on target: ScalingPolicy.TargetReference, type: String, reason: String, message: String, at time: Date) async {
            state.withLock { $0.events.append("\(type) \(reason) \(message)") }
        }
    }

    static func policy(dryRun: Bool = false) -> ScalingPolicy {
        var policy = ScalingPolicy(name: "web", target: .init(namespace: "shop", name: "web"), minReplicas: 1, maxReplicas: 20,
                                   metrics: [MetricSpecification(source: .pods("http_requests_per_second"), target: .averageValue(100_000))],
                                   intervalSeconds: 15)
        policy.dryRun = dryRun
        return policy
    }

    final class Harness: @unchecked Sendable {
        let clock = ManualClock(now: 1_800_000_000_000)
        let queries = ScalingServiceTests.FixedQueries()
        let arrivals = ScalingServiceTests.ManualArrivals()
        let scale = Scale()
        let decisions: ScalingDecisions
        let policy: ScalingPolicy
        let dryRun: Bool

        init(policy: ScalingPolicy = ScaleApplyTests.policy(), dryRun: Bool = false) {
            self.policy = policy
            self.dryRun = dryRun
            decisions = ScalingDecisions(policies: [policy])
        }

        var snapshot: ScalingDecisions.Snapshot { decisions.snapshots()[0] }

        var rateLimit = ActionRateLimit()

        func service() -> ScalingService {
            ScalingService(policies: [policy], metrics: queries, workloads: scale, decisions: decisions, arrivals: arrivals,
                           actuator: scale, dryRun: dryRun, rateLimit: rateLimit, clock: clock, logger: Logger(label: "test"))
        }

        /// Yields until a sync has acted (or decided to hold) and the loop sleeps again.
        func settle(actions: Int, sourceLocation: SourceLocation = #_sourceLocation) async {
            var seen = 0
            for _ in 0..<2_000_000 {
                seen = snapshot.lastAction == nil ? 0 : 1
                if seen >= min(actions, 1) && clock.sleeperCount > 0 && snapshot.evaluations > 0 { return }
                await Task.yield()
            }
            Issue.record("no action came: \(String(describing: snapshot.lastAction))", sourceLocation: sourceLocation)
        }
    }

    @Test func aSyncDecisionIsWrittenAndRecordedAsTheHPARecordsIt() async throws {
        let harness = Harness()
        let running = Task { try await harness.service().run() }
        defer { running.cancel() }
        await harness.settle(actions: 1)
        // 150 requests per second on each of two pods against 100: 3 replicas.
        #expect(harness.scale.state.withLock { $0.writes } == [3])
        let action = try #require(harness.snapshot.lastAction)
        #expect(action.outcome == .applied && action.from == 2 && action.to == 3 && action.conflicts == 0)
        #expect(action.message == "New size: 3; reason: pods metric http_requests_per_second above target", "\(action.message)")
        #expect(harness.snapshot.applied)
        #expect(harness.scale.state.withLock { $0.events } == ["Normal SuccessfulRescale \(action.message)"])
        // A sample arriving between syncs that asks for more scales up at once, bounded by the
        // behavior: 400 per pod on the two reporting pods of 3 against 100 asks for 8; the HPA's
        // default scale-up policies (4 pods or 100 % per 15 s) count the scale from 2 to 3 made
        // 2 s ago, so the period started at 2 and allows 2 + 4 = 6.
        harness.queries.perPod.withLock { $0 = 400 }
        harness.clock.advance(by: 2_000)
        harness.arrivals.arrive()
        for _ in 0..<20_000 where harness.scale.state.withLock({ $0.writes.count }) < 2 { await Task.yield() }
        #expect(harness.scale.state.withLock { $0.writes } == [3, 6])
        #expect(harness.snapshot.lastAction?.outcome == .applied && harness.snapshot.lastAction?.to == 6)
        // It wrote with the resourceVersion the previous write returned: no conflict with itself.
        #expect(harness.snapshot.lastAction?.conflicts == 0)
        running.cancel()
        _ = await running.result
    }

    /// Scale-down stabilization counts from an applied scale-up between syncs, as from a sync's.
    @Test func anArrivalScaleUpStartsTheScaleDownStabilizationWindow() async throws {
        var policy = ScaleApplyTests.policy()
        policy.behavior = ScalingBehavior(scaleDown: .init(stabilizationWindowSeconds: 60))
        let harness = Harness(policy: policy)
        let running = Task { try await harness.service().run() }
        defer { running.cancel() }
        await harness.settle(actions: 1)
        #expect(harness.scale.state.withLock { $0.writes } == [3])
        func sync(after milliseconds: Int64) async {
            let before = harness.snapshot.evaluations
            harness.clock.advance(by: milliseconds)
            for _ in 0..<200_000 where harness.snapshot.evaluations == before || harness.snapshot.trigger != .interval
                || harness.clock.sleeperCount == 0 { await Task.yield() }
        }
        // A spike between syncs scales up at once (at 1,800,000,002,000).
        harness.queries.perPod.withLock { $0 = 400 }
        harness.clock.advance(by: 2_000)
        harness.arrivals.arrive()
        for _ in 0..<20_000 where harness.scale.state.withLock({ $0.writes.count }) < 2 { await Task.yield() }
        #expect(harness.scale.state.withLock { $0.writes } == [3, 6])
        // The load drops: an arrival asking for less changes nothing, nor does the next sync, or
        // any sync within 60 s of the scale-up.
        harness.queries.perPod.withLock { $0 = 10 }
        harness.clock.advance(by: 1_000)
        harness.arrivals.arrive()
        for _ in 0..<20_000 { await Task.yield() }
        #expect(harness.scale.state.withLock { $0.writes } == [3, 6])
        await sync(after: 12_000)
        #expect(harness.snapshot.trigger == .interval && harness.snapshot.desiredReplicas == 6, "\(harness.snapshot.explanation)")
        await sync(after: 45_000)
        #expect(harness.clock.now == 1_800_000_060_000 && harness.snapshot.desiredReplicas == 6, "\(harness.snapshot.explanation)")
        #expect(harness.snapshot.explanation.contains { $0.contains("recent recommendations were higher than current one") },
                "\(harness.snapshot.explanation)")
        #expect(harness.scale.state.withLock { $0.writes } == [3, 6])
        // The first sync after the window: down (the default scale-down policy allows 100 %).
        await sync(after: 15_000)
        #expect(harness.scale.state.withLock { $0.writes } == [3, 6, 1], "\(harness.snapshot.explanation)")
        running.cancel()
        _ = await running.result
    }

    @Test func aDryRunWritesNothing() async throws {
        for harness in [Harness(policy: ScaleApplyTests.policy(dryRun: true)), Harness(dryRun: true)] {
            let running = Task { try await harness.service().run() }
            await harness.settle(actions: 1)
            #expect(harness.scale.state.withLock { $0.writes }.isEmpty)
            #expect(harness.snapshot.lastAction?.outcome == .dryRun && !harness.snapshot.applied)
            #expect(harness.scale.state.withLock { $0.events }.isEmpty)
            running.cancel()
            _ = await running.result
        }
    }

    @Test func anotherAutoscalerHoldsTheTarget() async throws {
        let harness = Harness()
        harness.scale.state.withLock { $0.others = ["HorizontalPodAutoscaler shop/web"] }
        let running = Task { try await harness.service().run() }
        await harness.settle(actions: 1)
        #expect(harness.scale.state.withLock { $0.writes }.isEmpty)
        let action = try #require(harness.snapshot.lastAction)
        #expect(action.outcome == .refused && action.message.hasPrefix("HorizontalPodAutoscaler shop/web already scales Deployment shop/web"))
        running.cancel()
        _ = await running.result
    }

    @Test func aConflictReadsAndDecidesAgainWithoutLosingTheOtherWrite() async throws {
        let harness = Harness()
        // Another writer sets 3 replicas just before Surge's write (which was decided on 2): Surge's
        // write is refused, it reads 3 and decides again: with 3 pods wanted for this load, it
        // has nothing left to write, and the other writer's change stands.
        harness.scale.state.withLock { $0.interferences = 1 }
        let running = Task { try await harness.service().run() }
        await harness.settle(actions: 0)
        for _ in 0..<20_000 { await Task.yield() }
        #expect(harness.scale.state.withLock { ($0.replicas, $0.writes) } == (3, []))
        running.cancel()
        _ = await running.result

        // Two conflicts in a row, then a write on the fresh version: accepted.
        let storm = Harness()
        storm.queries.perPod.withLock { $0 = 500 }
        storm.scale.state.withLock { $0.interferences = 2 }
        let again = Task { try await storm.service().run() }
        await storm.settle(actions: 1)
        let action = try #require(storm.snapshot.lastAction)
        #expect(action.outcome == .applied && action.conflicts == 2, "\(action)")
        // 500 per pod on the 4 pods read last: 20 wanted, the HPA's scale-up limit allows 8.
        #expect(storm.scale.state.withLock { $0.writes } == [8], "\(storm.scale.state.withLock { $0.writes })")
        again.cancel()
        _ = await again.result
    }

    @Test func serverErrorsAreRetriedAndRefusalsAreNot() async throws {
        let harness = Harness()
        harness.scale.state.withLock { $0.scripted = [.refused(status: 503, message: "etcdserver: leader changed"), .unreachable("connection reset")] }
        let running = Task { try await harness.service().run() }
        // Retries wait on the clock: let it run until the write lands.
        for _ in 0..<200 where harness.snapshot.lastAction == nil {
            for _ in 0..<2_000 { await Task.yield() }
            harness.clock.advance(by: 1_000)
        }
        let action = try #require(harness.snapshot.lastAction)
        #expect(action.outcome == .applied && action.retries == 2, "\(action)")
        running.cancel()
        _ = await running.result

        let refused = Harness()
        let message = #"deployments.apps "web" is forbidden: User "surge" cannot update resource "deployments/scale" in API group "apps" in the namespace "shop""#
        refused.scale.state.withLock { $0.scripted = [.refused(status: 403, message: message)] }
        let second = Task { try await refused.service().run() }
        await refused.settle(actions: 1)
        let failed = try #require(refused.snapshot.lastAction)
        #expect(failed.outcome == .failed && failed.status == 403 && failed.message == message && failed.retries == 0)
        #expect(refused.scale.state.withLock { $0.events }
                == ["Warning FailedRescale New size: 3; reason: pods metric http_requests_per_second above target; error: \(message)"])
        // The refused change did not count as a scale: the next sync tries the same count again.
        refused.clock.advance(by: 15_000)
        for _ in 0..<20_000 { await Task.yield() }
        #expect(refused.scale.state.withLock { $0.writes } == [3])
        second.cancel()
        _ = await second.result
    }

    @Test func changesOverTheRateLimitAreHeld() async throws {
        var limit = ActionRateLimit(perTarget: 2, overall: 3, window: 60_000)
        #expect(limit.take("a", at: 0) == nil && limit.take("a", at: 1) == nil)
        #expect(limit.take("a", at: 2) == "the limit of 2 changes of this target in 60 s is reached")
        #expect(limit.take("b", at: 3) == nil)
        #expect(limit.take("c", at: 4) == "the global limit of 3 changes in 60 s is reached")
        // The window slides.
        #expect(limit.take("a", at: 60_001) == nil)

        let harness = Harness()
        harness.rateLimit = ActionRateLimit(perTarget: 1, overall: 10, window: 60_000)
        let running = Task { try await harness.service().run() }
        await harness.settle(actions: 1)
        #expect(harness.scale.state.withLock { $0.writes } == [3])
        // More load at the next sync: held by the per-target limit, and said so.
        harness.queries.perPod.withLock { $0 = 400 }
        harness.clock.advance(by: 15_000)
        for _ in 0..<20_000 where harness.snapshot.lastAction?.outcome != .rateLimited { await Task.yield() }
        #expect(harness.snapshot.lastAction?.outcome == .rateLimited)
        #expect(harness.snapshot.lastAction?.message == "held: the limit of 1 changes of this target in 60 s is reached")
        #expect(harness.scale.state.withLock { $0.writes } == [3])
        running.cancel()
        _ = await running.result
    }
}
