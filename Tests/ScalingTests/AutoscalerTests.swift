import Foundation
import Testing
@testable import Scaling

/// Normalization (stabilization, rate limits, min/max) and the reconcile step's conditions.
@Suite struct AutoscalerTests {
    static let now = ReplicaCalculatorTests.now
    static func ago(_ seconds: Double) -> Date { now.addingTimeInterval(-seconds) }
    static let normalization = Normalization(settings: ControllerSettings(), now: now)
    static let defaults = ScalingBehavior().withDefaults(downscaleStabilizationWindowSeconds: 300)

    @Test func legacyScaleUpLimitAndDownscaleWindow() {
        var history = ScaleHistory()
        let up = Self.normalization.legacy(current: 1, desired: 10, minReplicas: 1, maxReplicas: 20, history: &history)
        #expect(up.replicas == 4 && up.scalingLimited.reason == "ScaleUpLimit" && up.scalingLimited.status == .true)
        #expect(history.recommendations == [.init(time: Self.now, replicas: 10)])

        var recent = ScaleHistory(recommendations: [.init(time: Self.ago(60), replicas: 8), .init(time: Self.ago(400), replicas: 12)])
        let down = Self.normalization.legacy(current: 8, desired: 4, minReplicas: 1, maxReplicas: 20, history: &recent)
        #expect(down.replicas == 8 && down.ableToScale.reason == "ScaleDownStabilized")
        // The sample older than the window was replaced by this one.
        #expect(recent.recommendations.map(\.replicas) == [8, 4])

        var empty = ScaleHistory()
        let floor = Self.normalization.legacy(current: 3, desired: 1, minReplicas: 2, maxReplicas: 20, history: &empty)
        #expect(floor.replicas == 2 && floor.scalingLimited.reason == "TooFewReplicas")
    }

    @Test func defaultBehaviorScaleUpPolicies() {
        var history = ScaleHistory()
        // Max of +4 pods and +100% per 15 s: from 10, at most 20.
        let outcome = Self.normalization.withBehavior(current: 10, desired: 50, minReplicas: 1, maxReplicas: 100,
                                                      behavior: Self.defaults, history: &history)
        #expect(outcome.replicas == 20 && outcome.scalingLimited.reason == "ScaleUpLimit")
        // The same after a scale-up of 10 five seconds ago: the period started at 10, so 20 is still the cap.
        var after = ScaleHistory(scaleUpEvents: [.init(time: Self.ago(5), replicaChange: 10)])
        let next = Self.normalization.withBehavior(current: 20, desired: 50, minReplicas: 1, maxReplicas: 100, behavior: Self.defaults, history: &after)
        #expect(next.replicas == 20)
        // Max replicas below the rate limit: TooManyReplicas.
        var capped = ScaleHistory()
        let tooMany = Self.normalization.withBehavior(current: 10, desired: 50, minReplicas: 1, maxReplicas: 12, behavior: Self.defaults, history: &capped)
        #expect(tooMany.replicas == 12 && tooMany.scalingLimited.reason == "TooManyReplicas")
    }

    @Test func scaleDownPoliciesAndWindows() {
        let slow = ScalingBehavior(scaleDown: .init(stabilizationWindowSeconds: 0, policies: [.init(type: .percent, value: 10, periodSeconds: 60)]))
            .withDefaults(downscaleStabilizationWindowSeconds: 300)
        var history = ScaleHistory()
        let first = Self.normalization.withBehavior(current: 20, desired: 5, minReplicas: 1, maxReplicas: 50, behavior: slow, history: &history)
        #expect(first.replicas == 18 && first.scalingLimited.reason == "ScaleDownLimit")
        // Five removed 30 s ago: the period started at 25, 10% of which allows 22, not below the current 20.
        var recent = ScaleHistory(scaleDownEvents: [.init(time: Self.ago(30), replicaChange: 5)])
        let held = Self.normalization.withBehavior(current: 20, desired: 5, minReplicas: 1, maxReplicas: 50, behavior: slow, history: &recent)
        #expect(held.replicas == 20 && held.scalingLimited.reason == "ScaleDownLimit")

        let disabled = ScalingBehavior(scaleDown: .init(selectPolicy: .disabled)).withDefaults(downscaleStabilizationWindowSeconds: 300)
        var none = ScaleHistory()
        #expect(Self.normalization.withBehavior(current: 20, desired: 5, minReplicas: 1, maxReplicas: 50, behavior: disabled, history: &none).replicas == 20)

        // Default scale-down window of 300 s keeps the highest recommendation of the last 5 minutes.
        var window = ScaleHistory(recommendations: [.init(time: Self.ago(100), replicas: 9)])
        let stabilized = Self.normalization.withBehavior(current: 10, desired: 4, minReplicas: 1, maxReplicas: 50, behavior: Self.defaults, history: &window)
        #expect(stabilized.replicas == 9 && stabilized.ableToScale.reason == "ScaleDownStabilized")
    }

    @Test func scaleUpStabilizationWindow() {
        let cautious = ScalingBehavior(scaleUp: .init(stabilizationWindowSeconds: 60)).withDefaults(downscaleStabilizationWindowSeconds: 300)
        var history = ScaleHistory(recommendations: [.init(time: Self.ago(30), replicas: 5)])
        let outcome = Self.normalization.withBehavior(current: 4, desired: 10, minReplicas: 1, maxReplicas: 50, behavior: cautious, history: &history)
        #expect(outcome.replicas == 5 && outcome.ableToScale.reason == "ScaleUpStabilized")
    }

    static func input(current: Int, min: Int = 1, max: Int = 10, metrics: [MetricSpecification], observations: [MetricObservation]) -> AutoscalerInput {
        AutoscalerInput(now: now, minReplicas: min, maxReplicas: max, specReplicas: current, metrics: metrics, observations: observations,
                        pods: ReplicaCalculatorTests.pods(current))
    }

    static let cpu = MetricSpecification(source: .resource("cpu"), target: .utilization(50))
    static let queue = MetricSpecification(source: .external("queue_depth"), target: .averageValue(10_000))

    @Test func largestProposalWinsAndConditionsFollowKubernetes() {
        let decision = Autoscaler.decide(Self.input(current: 3, metrics: [Self.cpu, Self.queue],
                                                    observations: [.perPod(ReplicaCalculatorTests.samples([500, 500, 500])), .total(70_000)]),
                                         history: ScaleHistory())
        #expect(decision.proposals.map(\.replicas) == [3, 7])
        #expect(decision.desiredReplicas == 6)
        #expect(decision.limitedBy == "ScaleUpLimit")
        #expect(decision.conditions.map(\.reason) == ["ReadyForNewScale", "ValidMetricFound", "ScaleUpLimit"])
        #expect(decision.conditions[1].message == "the HPA was able to successfully calculate a replica count from external metric queue_depth")
        // Decided, not applied: no scale event until the scale is applied.
        #expect(decision.history.scaleUpEvents.isEmpty)
    }

    @Test func behaviorTolerancesOverrideTheControllerPerDirection() {
        // 3 pods at 52% of a 50% target: a ratio of 1.04, inside the default 10% but not inside 2%.
        var input = Self.input(current: 3, metrics: [Self.cpu], observations: [.perPod(ReplicaCalculatorTests.samples([520, 520, 520]))])
        #expect(Autoscaler.decide(input, history: ScaleHistory()).desiredReplicas == 3)
        input.behavior = ScalingBehavior(scaleUp: .init(tolerance: 0.02))
        #expect(Autoscaler.decide(input, history: ScaleHistory()).desiredReplicas == 4)
        // 10 pods at 40%: a ratio of 0.8 proposes 8, but not inside a 25% scale-down tolerance.
        var down = Self.input(current: 10, metrics: [Self.cpu], observations: [.perPod(ReplicaCalculatorTests.samples(Array(repeating: 400, count: 10)))])
        #expect(Autoscaler.decide(down, history: ScaleHistory()).proposals.first?.replicas == 8)
        down.behavior = ScalingBehavior(scaleDown: .init(tolerance: 0.25))
        #expect(Autoscaler.decide(down, history: ScaleHistory()).proposals.first?.replicas == 10)
    }

    @Test func failedMetricsMayScaleUpButNotDown() {
        let up = Autoscaler.decide(Self.input(current: 3, metrics: [Self.cpu, Self.queue],
                                              observations: [.unavailable("unable to get metrics for resource cpu"), .total(50_000)]),
                                   history: ScaleHistory())
        #expect(up.desiredReplicas == 5)
        let down = Autoscaler.decide(Self.input(current: 3, metrics: [Self.cpu, Self.queue],
                                                observations: [.unavailable("unable to get metrics for resource cpu"), .total(10_000)]),
                                     history: ScaleHistory())
        #expect(down.desiredReplicas == 3)
        #expect(down.conditions.last == ScalingCondition(type: "ScalingActive", status: false, reason: "FailedGetResourceMetric",
                                                          message: "unable to get metrics for resource cpu"))
    }

    @Test func outOfRangeAndDisabledTargets() {
        let above = Autoscaler.decide(Self.input(current: 12, metrics: [Self.cpu], observations: [.total(0)]), history: ScaleHistory())
        #expect(above.desiredReplicas == 10)
        let below = Autoscaler.decide(Self.input(current: 1, min: 2, metrics: [Self.cpu], observations: [.total(0)]), history: ScaleHistory())
        #expect(below.desiredReplicas == 2)
        let disabled = Autoscaler.decide(Self.input(current: 0, metrics: [Self.cpu], observations: [.total(0)]), history: ScaleHistory())
        #expect(disabled.desiredReplicas == 0 && disabled.conditions.last?.reason == "ScalingDisabled")
        // minReplicas 0 with an External metric: scale from zero by the ratio alone.
        let fromZero = Autoscaler.decide(Self.input(current: 0, min: 0, metrics: [MetricSpecification(source: .external("q"), target: .value(100_000))],
                                                    observations: [.total(250_000)]), history: ScaleHistory())
        #expect(fromZero.desiredReplicas == 3)
    }
}
