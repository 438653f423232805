import Foundation
import Testing
@testable import Scaling

/// Cases where the HPA controller's code (replica_calculator.go, horizontal.go) decides something a
/// reading of its documentation would not, each pinned as the controller behaves.
@Suite struct ControllerExactnessTests {
    static let now = ReplicaCalculatorTests.now
    static let calculator = ReplicaCalculatorTests.calculator

    /// With pods missing metrics, the missing pods are filled in only when the ratio is strictly
    /// below 1 (at the target) or strictly above (at zero); at exactly 1.0 they stay out of the
    /// second pass, which finds the same ratio and keeps the replicas.
    @Test(arguments: [
        // (per-pod values of the pods that report, pods in all, per-pod target, expected replicas)
        ([10_000, 10_000] as [Int64], 4, Int64(10_000), 4),  // exactly 1.0: no change (filled with zeros it would be 2)
        ([5_000, 5_000], 4, 10_000, 3),                      // 0.5: missing at the target, 30/40 → ceil(0.75 * 4) = 3
        ([20_000, 20_000], 4, 10_000, 4),                    // 2.0: missing at zero, 40/40 = 1.0 → no change
        ([30_000, 30_000], 4, 10_000, 6),                    // 3.0: missing at zero, 60/40 = 1.5 → 6
    ] as [([Int64], Int, Int64, Int)])
    func missingPodsOnPlainMetrics(values: [Int64], pods: Int, target: Int64, expected: Int) throws {
        let samples = ReplicaCalculatorTests.samples(values.map { $0 } + Array(repeating: nil, count: pods - values.count))
        let result = try Self.calculator.plainAverage(currentReplicas: pods, targetAverage: target, cpu: false,
                                                      pods: ReplicaCalculatorTests.pods(pods), metrics: samples).get()
        #expect(result.replicas == expected)
    }

    @Test func missingPodsOnUtilizationAtExactlyTheTarget() throws {
        // Two pods at 500m of 1 CPU against 50%: a ratio of exactly 1.0, with two pods missing.
        let result = try Self.calculator.resourceUtilization(currentReplicas: 4, targetUtilization: 50, resource: "cpu",
                                                             pods: ReplicaCalculatorTests.pods(4),
                                                             metrics: ReplicaCalculatorTests.samples([500, 500, nil, nil])).get()
        #expect(result.replicas == 4 && result.utilization == 50)
    }

    /// During a CPU scale-up a pending pod counts as unready: at zero usage in the second pass, not
    /// skipped. Running pods use 1 CPU of 1 CPU requested.
    @Test(arguments: [
        // (running pods, pending pods, target %, expected; what skipping the pending pods would give)
        (3, 1, 70, 4),  // 100% → 1.43; with the pending pod at zero 75% → 1.07, within tolerance (skipped: ceil(1.43 * 3) = 5)
        (2, 3, 50, 5),  // 100% → 2.0; with the pending pods at zero 40% → 0.8, the direction flips (skipped: 4, a scale-down)
        (3, 1, 50, 6),  // 100% → 2.0; with the pending pod at zero 75% → 1.5 → ceil(1.5 * 4) = 6 (skipped: 6 as well)
    ] as [(Int, Int, Int, Int)])
    func pendingPodsAreUnreadyOnScaleUp(running: Int, pending: Int, target: Int, expected: Int) throws {
        let pods = ReplicaCalculatorTests.pods(running + pending,
                                               phases: Array(repeating: .running, count: running) + Array(repeating: .pending, count: pending))
        let result = try Self.calculator.resourceUtilization(currentReplicas: running + pending, targetUtilization: target, resource: "cpu",
                                                             pods: pods, metrics: ReplicaCalculatorTests.samples(Array(repeating: 1000, count: running))).get()
        #expect(result.replicas == expected)
    }

    /// Object and External AverageValue targets are judged against the scale's status replicas.
    @Test func averageValueTargetsUseStatusReplicas() {
        let external = MetricSpecification(source: .external("queue"), target: .averageValue(10_000))
        // spec 10, status 4: 42 / (10 * 4) = 1.05 is within tolerance → the status count, 4.
        // Against spec replicas the ratio would be 0.42 and the proposal ceil(4.2) = 5.
        var input = AutoscalerInput(now: Self.now, minReplicas: 1, maxReplicas: 20, specReplicas: 10, statusReplicas: 4,
                                    metrics: [external], observations: [.total(42_000)], pods: ReplicaCalculatorTests.pods(4))
        #expect(Autoscaler.decide(input, history: ScaleHistory()).proposals.first?.replicas == 4)
        input.statusReplicas = 10
        #expect(Autoscaler.decide(input, history: ScaleHistory()).proposals.first?.replicas == 5)
        input.metrics = [MetricSpecification(source: .object("rps"), target: .averageValue(10_000),
                                             describedObject: .init(apiVersion: "v1", kind: "Service", name: "web"))]
        input.statusReplicas = 4
        #expect(Autoscaler.decide(input, history: ScaleHistory()).proposals.first?.replicas == 4)
    }

    /// An Object (or External) Value target outside the tolerance with no pods to count is an
    /// error that keeps the replicas, never a proposal of zero.
    @Test(arguments: [
        MetricSpecification(source: .object("rps"), target: .value(100_000), describedObject: .init(apiVersion: "v1", kind: "Service", name: "web")),
        MetricSpecification(source: .external("queue"), target: .value(100_000)),
    ])
    func valueTargetWithoutPodsIsAnError(spec: MetricSpecification) {
        let input = AutoscalerInput(now: Self.now, minReplicas: 1, maxReplicas: 20, specReplicas: 3, metrics: [spec],
                                    observations: [.total(50_000)], pods: [])
        let decision = Autoscaler.decide(input, history: ScaleHistory())
        #expect(decision.proposals.first?.replicas == nil)
        #expect(decision.proposals.first?.error?.message == ReplicaCalculator.noPods.message)
        #expect(decision.desiredReplicas == 3)
        #expect(decision.conditions.last?.status == .false)
    }

    /// A new policy records the current replicas as its first recommendation, so scale-down
    /// stabilization holds from its first decision; a policy evaluated before does not.
    @Test func firstEvaluationRecordsTheCurrentReplicas() {
        let cpu = MetricSpecification(source: .resource("cpu"), target: .utilization(50))
        let input = AutoscalerInput(now: Self.now, minReplicas: 1, maxReplicas: 20, specReplicas: 8, metrics: [cpu],
                                    observations: [.perPod(ReplicaCalculatorTests.samples(Array(repeating: 100, count: 8)))],
                                    pods: ReplicaCalculatorTests.pods(8))
        let first = Autoscaler.decide(input, history: .initial)
        #expect(first.proposals.first?.replicas == 2)
        #expect(first.desiredReplicas == 8)
        #expect(first.history.evaluatedBefore)
        #expect(first.history.recommendations.contains(.init(time: Self.now, replicas: 8)))
        #expect(Autoscaler.decide(input, history: ScaleHistory()).desiredReplicas == 2)
    }

    static let rpsPolicy = ScalingPolicy(name: "web", target: .init(namespace: "shop", name: "web"), minReplicas: 1, maxReplicas: 20,
                                         metrics: [MetricSpecification(source: .pods("rps"), target: .averageValue(10_000))],
                                         behavior: ScalingBehavior(), intervalSeconds: 10)

    static func input(at now: Date, pods: Int, perPod: Int64) -> PolicyInput {
        let samples = ReplicaCalculatorTests.samples(Array(repeating: perPod, count: pods)).mapValues { PodMetric(value: $0.value, timestamp: now) }
        return PolicyInput(now: now, specReplicas: pods, pods: ReplicaCalculatorTests.pods(pods), observations: [.perPod(samples)])
    }

    /// A decision that is not applied leaves no scale event: with the load held at 9 pods' worth on
    /// 2 pods that never change, every decision publishes the same count, the default scale-up limit
    /// of max(+4 pods, +100%) per 15 s: 6.
    @Test func unappliedDecisionsAreSteady() {
        var evaluator = PolicyEvaluator(policy: Self.rpsPolicy)
        var published: [Int] = []
        for step in 0..<8 {
            let decision = evaluator.decide(Self.input(at: Self.now.addingTimeInterval(Double(step) * 10), pods: 2, perPod: 45_000))
            #expect(decision.reactive.proposals.first?.replicas == 9)
            #expect(decision.reactive.history.scaleUpEvents.isEmpty && decision.reactive.history.scaleDownEvents.isEmpty)
            published.append(decision.desiredReplicas)
        }
        #expect(published == Array(repeating: 6, count: 8))
    }

    /// Once a scale is applied it counts against the rate limits within its period.
    @Test func appliedScalesCountAgainstTheLimits() {
        var evaluator = PolicyEvaluator(policy: Self.rpsPolicy)
        #expect(evaluator.decide(Self.input(at: Self.now, pods: 2, perPod: 45_000)).desiredReplicas == 6)
        var unapplied = evaluator
        evaluator.recordScale(from: 2, to: 6, at: Self.now)
        #expect(evaluator.history.scaleUpEvents == [.init(time: Self.now, replicaChange: 4)])
        // 10 s later, 6 pods at 15 each still want 9. The period began at 2 pods: max(2 + 4, 2 * 2) = 6.
        let later = Self.input(at: Self.now.addingTimeInterval(10), pods: 6, perPod: 15_000)
        let limited = evaluator.decide(later)
        #expect(limited.reactive.proposals.first?.replicas == 9)
        #expect(limited.desiredReplicas == 6 && limited.reactive.limitedBy == "ScaleUpLimit")
        // Had the first scale not been applied, nothing would hold the second back.
        #expect(unapplied.decide(later).desiredReplicas == 9)
    }
}
