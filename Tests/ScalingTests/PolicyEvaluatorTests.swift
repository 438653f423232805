import Foundation
import Testing
@testable import Scaling

/// Reactive, schedule and forecast combined: the largest wins, floors never switch scaling on for a
/// target at zero, and the forecast never lowers replicas.
@Suite struct PolicyEvaluatorTests {
    static let now = ISO8601DateFormatter().date(from: "2026-11-23T02:00:00Z")!  // Monday 10:00 in Shanghai

    static func policy(schedules: [ScheduleWindow] = [], minReplicas: Int = 1, metrics: [MetricSpecification]? = nil) -> ScalingPolicy {
        ScalingPolicy(name: "web", target: .init(name: "web"), minReplicas: minReplicas, maxReplicas: 30,
                      metrics: metrics ?? [MetricSpecification(source: .pods("rps"), target: .averageValue(100_000))], schedules: schedules)
    }

    static func input(replicas: Int, perPod: Int64) -> PolicyInput {
        let pods = (0..<replicas).map { PodState(name: "p\($0)") }
        let samples = Dictionary(uniqueKeysWithValues: pods.map { ($0.name, PodMetric(value: perPod, timestamp: now)) })
        return PolicyInput(now: now, specReplicas: replicas, pods: pods, observations: [.perPod(samples)])
    }

    static func office(_ replicas: Int) throws -> ScheduleWindow {
        ScheduleWindow(name: "office", timing: .recurring(start: try CronExpression("0 9 * * 1-5"), end: try CronExpression("0 18 * * 1-5")),
                       timeZone: TimeZone(identifier: "Asia/Shanghai")!, minReplicas: replicas)
    }

    @Test func theLargestOfReactiveAndScheduleWins() throws {
        var evaluator = PolicyEvaluator(policy: Self.policy(schedules: [try Self.office(10)]))
        let floorWins = evaluator.decide(Self.input(replicas: 4, perPod: 120_000))
        #expect(floorWins.desiredReplicas == 10 && floorWins.drivenBy == .schedule && floorWins.schedule.activeWindows == ["office"])
        var busy = PolicyEvaluator(policy: Self.policy(schedules: [try Self.office(10)]))
        let metricsWin = busy.decide(Self.input(replicas: 10, perPod: 150_000))
        #expect(metricsWin.desiredReplicas == 15 && metricsWin.drivenBy == .metrics)
        // Outside the window the same load scales down to what the metric needs (for a policy evaluated
        // before with no recent recommendations, so stabilization holds nothing up).
        var evening = PolicyEvaluator(policy: Self.policy(schedules: [try Self.office(10)]), history: ScaleHistory())
        var late = Self.input(replicas: 10, perPod: 20_000)
        late.now = Self.now.addingTimeInterval(9 * 3600)
        #expect(evening.decide(late).desiredReplicas == 2)
    }

    @Test func aFloorDoesNotWakeATargetAtZero() throws {
        var evaluator = PolicyEvaluator(policy: Self.policy(schedules: [try Self.office(10)]))
        let decision = evaluator.decide(PolicyInput(now: Self.now, specReplicas: 0, pods: [], observations: [.unavailable("none")]))
        #expect(decision.desiredReplicas == 0)
        #expect(decision.reactive.conditions.contains { $0.reason == "ScalingDisabled" })
    }

    @Test func scheduleOnlyPoliciesFollowTheirWindows() throws {
        var evaluator = PolicyEvaluator(policy: Self.policy(schedules: [try Self.office(6)], minReplicas: 2, metrics: []))
        #expect(evaluator.decide(PolicyInput(now: Self.now, specReplicas: 2, pods: [], observations: [])).desiredReplicas == 6)
        let night = Self.now.addingTimeInterval(12 * 3600)
        #expect(evaluator.decide(PolicyInput(now: night, specReplicas: 6, pods: [], observations: [])).desiredReplicas == 2)
    }

    @Test func theForecastRaisesButNeverLowers() {
        var policy = Self.policy()
        policy.predictive = PredictiveSettings(seasons: [86_400], historySeconds: 2 * 86_400, resolutionSeconds: 3600, lookAheadSeconds: 3600)
        var evaluator = PolicyEvaluator(policy: policy)
        // Two days where the total load is 2,000 at 10:00 and 200 otherwise.
        let start = Self.now.addingTimeInterval(-2 * 86_400 - 3 * 3600)
        for hour in 0..<(2 * 24 + 3) {
            let time = start.addingTimeInterval(Double(hour) * 3600)
            let hourOfDay = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: time).hour!
            evaluator.learn(metric: 0, value: hourOfDay == 2 ? 2000 : 200, at: time)
        }
        // At 01:00 UTC, the 02:00 peak is within the hour's look-ahead: 20 pods of 100 each.
        var early = Self.input(replicas: 2, perPod: 100_000)
        early.now = Self.now.addingTimeInterval(-3600)
        let before = evaluator.decide(early)
        // The forecast with its 10 % headroom is 2,200, sized at the top of the HPA's band (100 per pod
        // plus the 10 % scale-up tolerance): 20 pods.
        #expect(before.forecast?.replicas == 20 && before.forecast?.peak == 2200, "\(String(describing: before.forecast))")
        #expect(before.desiredReplicas == before.forecast?.replicas && before.drivenBy == .forecast)
        // A policy with no scale-up tolerance sizes it at the target itself: 22 pods.
        var strict = policy
        strict.behavior = ScalingBehavior(scaleUp: .init(tolerance: 0))
        var strictEvaluator = PolicyEvaluator(policy: strict)
        for hour in 0..<(2 * 24 + 3) {
            let time = start.addingTimeInterval(Double(hour) * 3600)
            let hourOfDay = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: time).hour!
            strictEvaluator.learn(metric: 0, value: hourOfDay == 2 ? 2000 : 200, at: time)
        }
        #expect(strictEvaluator.decide(early).forecast?.replicas == 22)
        // A forecast below what the metrics need changes nothing.
        var quiet = PolicyEvaluator(policy: policy)
        let decision = quiet.decide(Self.input(replicas: 8, perPod: 100_000))
        #expect(decision.forecast == nil && decision.desiredReplicas == 8)
    }
}
