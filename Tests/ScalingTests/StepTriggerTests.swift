import Foundation
import Testing
@testable import Scaling

/// Threshold triggers (step scaling): `for`, cooldown and the change they propose; combined with the
/// metrics' proposal by taking the largest, then stabilized and rate-limited as the HPA's own.
@Suite struct StepTriggerTests {
    static let now = ISO8601DateFormatter().date(from: "2026-12-01T10:00:00Z")!
    static let addThree = StepTrigger(name: "slow", when: "p99 > 0.3", forSeconds: 120, change: .by(3), cooldownSeconds: 300)
    static let removeOne = StepTrigger(name: "idle", when: "cpu < 0.3", forSeconds: 60, change: .by(-1), cooldownSeconds: 0)

    @Test func aTriggerFiresAfterForAndRestsForItsCooldown() {
        var states: [TriggerState] = []
        func step(_ seconds: Double, _ observation: TriggerObservation, current: Int = 4) -> TriggerOutcome {
            StepTriggers.evaluate([Self.addThree], observations: [observation], states: &states, current: current,
                                  now: Self.now.addingTimeInterval(seconds))[0]
        }
        #expect(step(0, .holds).status == .pending)
        #expect(step(60, .holds).explanation == "Trigger \"slow\" (+3): its condition has held for 1m of 2m.")
        // A failed evaluation neither fires nor forgets how long the condition has held.
        #expect(step(90, .unavailable("timeout")).status == .unavailable)
        let fired = step(120, .holds)
        #expect(fired.status == .firing && fired.replicas == 7 && fired.holdingSince == Self.now, "\(fired)")
        // Fired, but nothing applied yet: it fires again at the next evaluation, from the count then.
        #expect(step(135, .holds, current: 5).replicas == 8)
        // A scale it drove was applied: 5 minutes of cooldown from that scale.
        StepTriggers.recordScale(from: 5, to: 8, at: Self.now.addingTimeInterval(135), fired: [step(135, .holds, current: 5)], states: &states)
        let resting = step(150, .holds, current: 8)
        #expect(resting.status == .coolingDown && resting.coolingDownUntil == Self.now.addingTimeInterval(435), "\(resting)")
        #expect(step(435, .holds, current: 8).status == .firing)
        // The condition clears: `for` starts again.
        #expect(step(450, .clear, current: 8).status == .inactive)
        #expect(step(465, .holds, current: 8).status == .pending)
        // A scale the other way does not start this trigger's cooldown.
        var other: [TriggerState] = []
        let up = StepTriggers.evaluate([Self.addThree], observations: [.holds], states: &other, current: 4, now: Self.now)
        StepTriggers.recordScale(from: 4, to: 2, at: Self.now, fired: up, states: &other)
        #expect(other[0].lastScale == nil)
    }

    @Test(arguments: [
        (StepTrigger.Change.by(3), 4, 7), (.by(-5), 4, 0), (.to(12), 4, 12),
        // Percentages round toward zero, but change at least one replica, as AWS's PercentChangeInCapacity.
        (.byPercent(15), 10, 11), (.byPercent(-15), 10, 9), (.byPercent(50), 3, 4), (.byPercent(5), 3, 4),
        (.byPercent(250), 4, 14), (.byPercent(-100), 4, 0),
    ])
    func changesAreAppliedToTheCurrentCount(change: StepTrigger.Change, current: Int, expected: Int) {
        #expect(StepTrigger(name: "t", when: "x", change: change).replicas(from: current) == expected)
    }

    static func policy(metrics: Bool = true, triggers: [StepTrigger], behavior: ScalingBehavior? = nil) -> ScalingPolicy {
        var policy = ScalingPolicy(name: "web", target: .init(name: "web"), maxReplicas: 20,
                                   metrics: metrics ? [MetricSpecification(source: .pods("rps"), target: .averageValue(100_000))] : [],
                                   behavior: behavior)
        policy.triggers = triggers
        return policy
    }

    static func input(replicas: Int, perPod: Int64?, triggers: [TriggerObservation], at seconds: Double = 0) -> PolicyInput {
        let pods = (0..<replicas).map { PodState(name: "p\($0)") }
        let time = now.addingTimeInterval(seconds)
        let observation: MetricObservation = perPod.map { value in
            .perPod(Dictionary(uniqueKeysWithValues: pods.map { ($0.name, PodMetric(value: value, timestamp: time)) }))
        } ?? .unavailable("unable to get metric rps: no samples")
        return PolicyInput(now: time, specReplicas: replicas, pods: pods, observations: [observation], triggerObservations: triggers)
    }

    @Test func theLargestProposalWinsForScaleUp() {
        let firing = StepTrigger(name: "slow", when: "p99 > 0.3", change: .by(3))
        // Metrics within tolerance propose no change: the trigger's +3 decides.
        var evaluator = PolicyEvaluator(policy: Self.policy(triggers: [firing]), history: ScaleHistory())
        var decision = evaluator.decide(Self.input(replicas: 4, perPod: 100_000, triggers: [.holds]))
        #expect(decision.desiredReplicas == 7 && decision.drivenBy == .trigger, "\(decision.explanation)")
        #expect(decision.explanation.contains("Trigger \"slow\" proposes 7 replicas, the largest proposal asking for a change."))
        #expect(decision.explanation.contains("Trigger \"slow\" (+3) fires: its condition has held for 0s; it proposes 7 replicas."))
        // Metrics that ask for more win.
        evaluator = PolicyEvaluator(policy: Self.policy(triggers: [firing]), history: ScaleHistory())
        decision = evaluator.decide(Self.input(replicas: 4, perPod: 250_000, triggers: [.holds]))
        #expect(decision.desiredReplicas == 8 && decision.drivenBy == .metrics, "\(decision.explanation)")
        // Missing metrics hold the count, but a trigger asking for more still scales up.
        evaluator = PolicyEvaluator(policy: Self.policy(triggers: [firing]), history: ScaleHistory())
        decision = evaluator.decide(Self.input(replicas: 4, perPod: nil, triggers: [.holds]))
        #expect(decision.desiredReplicas == 7 && decision.drivenBy == .trigger, "\(decision.explanation)")
        // The behavior still bounds it: one pod per minute.
        let slow = ScalingBehavior(scaleUp: .init(policies: [.init(type: .pods, value: 1, periodSeconds: 60)]))
        evaluator = PolicyEvaluator(policy: Self.policy(triggers: [firing], behavior: slow), history: ScaleHistory())
        decision = evaluator.decide(Self.input(replicas: 4, perPod: 100_000, triggers: [.holds]))
        #expect(decision.desiredReplicas == 5 && decision.reactive.limitedBy == "ScaleUpLimit", "\(decision.explanation)")
    }

    @Test func scaleDownGoesThroughStabilizationAndNeverActsOnMissingData() {
        let behavior = ScalingBehavior(scaleDown: .init(stabilizationWindowSeconds: 120))
        // A new policy's first recommendation is the current count (4): the window holds it for 2 minutes.
        var evaluator = PolicyEvaluator(policy: Self.policy(triggers: [Self.removeOne], behavior: behavior))
        var decision = evaluator.decide(Self.input(replicas: 4, perPod: 100_000, triggers: [.holds]))
        #expect(decision.desiredReplicas == 4 && decision.triggers[0].status == .pending)
        decision = evaluator.decide(Self.input(replicas: 4, perPod: 100_000, triggers: [.holds], at: 60))
        #expect(decision.triggers[0].replicas == 3 && decision.desiredReplicas == 4, "\(decision.explanation)")
        #expect(decision.reactive.conditions.contains { $0.reason == "ScaleDownStabilized" })
        decision = evaluator.decide(Self.input(replicas: 4, perPod: 100_000, triggers: [.holds], at: 121))
        #expect(decision.desiredReplicas == 3 && decision.drivenBy == .trigger, "\(decision.explanation)")
        #expect(decision.explanation.last == "Scale down from 4 to 3 (trigger \"idle\").")
        // Metrics that ask for more than the trigger win (AWS takes the largest for scale-in too).
        var busy = PolicyEvaluator(policy: Self.policy(triggers: [Self.removeOne]), history: ScaleHistory())
        _ = busy.decide(Self.input(replicas: 4, perPod: 100_000, triggers: [.holds]))
        decision = busy.decide(Self.input(replicas: 4, perPod: 180_000, triggers: [.holds], at: 60))
        #expect(decision.desiredReplicas == 8 && decision.drivenBy == .metrics, "\(decision.explanation)")
        // Missing metrics: a trigger asking for less holds, as the HPA holds.
        var blind = PolicyEvaluator(policy: Self.policy(triggers: [Self.removeOne]), history: ScaleHistory())
        _ = blind.decide(Self.input(replicas: 4, perPod: nil, triggers: [.holds]))
        decision = blind.decide(Self.input(replicas: 4, perPod: nil, triggers: [.holds], at: 60))
        #expect(decision.triggers[0].status == .firing && decision.desiredReplicas == 4, "\(decision.explanation)")
        #expect(decision.reactive.conditions.contains { $0.type == "ScalingActive" && $0.status == .false })
    }

    @Test func aPolicyOfTriggersAloneScalesOnThem() {
        var evaluator = PolicyEvaluator(policy: Self.policy(metrics: false, triggers: [Self.addThree, Self.removeOne]), history: ScaleHistory())
        let none = evaluator.decide(Self.input(replicas: 4, perPod: nil, triggers: [.clear, .clear]))
        #expect(none.desiredReplicas == 4 && none.drivenBy == .trigger)
        var up = PolicyEvaluator(policy: Self.policy(metrics: false, triggers: [Self.addThree]), history: ScaleHistory())
        _ = up.decide(Self.input(replicas: 4, perPod: nil, triggers: [.holds]))
        let fired = up.decide(Self.input(replicas: 4, perPod: nil, triggers: [.holds], at: 120))
        #expect(fired.desiredReplicas == 7 && fired.drivenBy == .trigger, "\(fired.explanation)")
        #expect(fired.reactive.conditions.contains { $0.reason == "TriggerFired" })
        // Applied: its cooldown starts; the next evaluation holds.
        up.recordScale(from: 4, to: 7, at: Self.now.addingTimeInterval(120))
        let resting = up.decide(Self.input(replicas: 7, perPod: nil, triggers: [.holds], at: 135))
        #expect(resting.desiredReplicas == 7 && resting.triggers[0].status == .coolingDown)
    }

    @Test func triggersAreReadWithTheirLines() throws {
        let policies = try PolicyFile.parse("""
            policies:
              - name: web
                target: {kind: Deployment, name: web}
                maxReplicas: 20
                triggers:
                  - name: slow
                    when: histogram_quantile(0.99, sum by (le) (rate(latency_bucket[1m]))) > 0.3
                    for: 2m
                    scaleBy: 3
                  - {when: 'avg(cpu) < 0.3', for: 15m, scaleByPercent: -10, cooldown: 10m}
                  - {name: flash, when: 'sale_active == 1', scaleTo: 18}
            """, path: "p.yaml")
        let triggers = policies[0].triggers
        #expect(triggers.map(\.name) == ["slow", "trigger-2", "flash"])
        #expect(triggers[0].forSeconds == 120 && triggers[0].change == .by(3) && triggers[0].cooldownSeconds == 300 && triggers[0].source == "p.yaml:6")
        #expect(triggers[1].change == .byPercent(-10) && triggers[1].cooldownSeconds == 600 && triggers[1].forSeconds == 900)
        #expect(triggers[2].change == .to(18) && triggers[2].forSeconds == 0)
    }

    @Test(arguments: [
        ("{when: x > 1, scaleBy: 1, scaleTo: 3}", "p.yaml:5: trigger \"trigger-1\" needs exactly one of scaleBy, scaleTo and scaleByPercent"),
        ("{when: x > 1}", "p.yaml:5: trigger \"trigger-1\" needs exactly one of scaleBy, scaleTo and scaleByPercent"),
        ("{when: x > 1, scaleBy: 0}", "p.yaml:5: scaleBy must add (positive) or remove (negative) replicas, not 0"),
        ("{when: x > 1, scaleTo: 30}", "p.yaml:5: scaleTo (30) must not exceed maxReplicas (20)"),
        ("{when: x > 1, scaleByPercent: -150}", "p.yaml:5: scaleByPercent must be a non-zero percentage, at least -100"),
        ("{when: x > 1, for: soon, scaleBy: 1}", "p.yaml:5: for must be a duration such as 30s, 5m or 1h"),
        ("{scaleBy: 1}", "p.yaml:5: trigger \"trigger-1\" needs \"when\""),
        ("{when: 'rate(x[1m]', scaleBy: 1}", "p.yaml:5: when: bad query"),
        ("{when: x > 1, scaleBy: 1, every: 1m}", "p.yaml:5: unknown field \"every\" in a trigger"),
    ])
    func badTriggersNameTheLine(trigger: String, message: String) {
        let text = "policies:\n  - name: web\n    target: {kind: Deployment, name: web}\n    maxReplicas: 20\n    triggers: [\(trigger)]\n"
        do {
            _ = try PolicyFile.parse(text, path: "p.yaml", validateQuery: { $0.hasSuffix("[1m]") ? "bad query" : nil })
            Issue.record("accepted: \(trigger)")
        } catch {
            #expect("\(error)".hasPrefix(message), "\(error)")
        }
    }

    @Test func aSnapshotCarriesTheTriggersState() throws {
        let snapshot = try DecisionSnapshot.parse("""
            {"now": "2026-12-01T10:02:00Z",
             "policy": {"name": "web", "target": {"kind": "Deployment", "name": "web"}, "maxReplicas": 20,
                        "triggers": [{"name": "slow", "when": "p99 > 0.3", "for": "2m", "scaleBy": 3},
                                     {"name": "idle", "when": "cpu < 0.3", "scaleBy": -1}]},
             "target": {"specReplicas": 4},
             "history": {"recommendations": []},
             "triggers": [{"name": "slow", "holds": true, "holdingSince": "2026-12-01T10:00:00Z"}, {"name": "idle", "holds": false}]}
            """, path: "s.json")
        let decision = snapshot.decide()
        #expect(decision.desiredReplicas == 7 && decision.drivenBy == .trigger, "\(decision.explanation)")
        #expect(decision.triggers.map(\.status) == [.firing, .inactive])
    }
}
