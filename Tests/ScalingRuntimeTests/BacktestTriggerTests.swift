import Foundation
import Scaling
import ScalingRuntime
import Testing

/// `surge backtest` replays threshold triggers: their PromQL conditions run against the series the
/// simulation builds, and the figures say how often each held, fired and drove a scale, or why it
/// could not be replayed.
@Suite struct BacktestTriggerTests {
    /// Two hours at one-minute resolution: 500 requests per second, then 3,000 from the first hour on.
    static let trace = DemandTrace(times: (0..<120).map { 1_800_000_000 + Double($0) * 60 }, values: (0..<120).map { $0 < 60 ? 500 : 3000 })

    static func policy(_ triggers: [StepTrigger]) -> ScalingPolicy {
        var policy = ScalingPolicy(name: "web", target: .init(namespace: "shop", name: "web"), minReplicas: 2, maxReplicas: 60, metrics: [])
        policy.triggers = triggers
        return policy
    }

    static let hot = StepTrigger(name: "hot", when: #"avg(rate(container_cpu_usage_seconds_total{namespace="shop", pod=~"web-.*"}[1m])) > 0.8"#,
                                 forSeconds: 30, change: .byPercent(50), cooldownSeconds: 60)
    static let idle = StepTrigger(name: "idle", when: #"avg(rate(container_cpu_usage_seconds_total{namespace="shop", pod=~"web-.*"}[1m])) < 0.4"#,
                                  forSeconds: 300, change: .by(-1), cooldownSeconds: 120)
    static let ghost = StepTrigger(name: "ghost", when: "queue_depth > 100", change: .by(1))

    @Test func triggersAreReplayedOnTheSimulatedSeries() {
        let options = BacktestOptions(capacityPerPod: 100, podStartupSeconds: 60)
        let result = Backtest.run(trace: Self.trace, policy: Self.policy([Self.hot, Self.idle, Self.ghost]), options: options,
                                  conditions: BacktestPromQLConditions())
        let figures = Dictionary(uniqueKeysWithValues: result.triggers.map { ($0.name, $0) })
        // 500 on five pods of 100 is 100 % busy: "hot" fires at once and again after the jump; the
        // policy, triggers alone, ends with enough pods for 3,000 at under 80 % (at least 38).
        let hot = try! #require(figures["hot"])
        #expect(hot.fired >= 2 && hot.drove >= 2 && hot.failed == 0, "\(hot)")
        #expect(result.timeline.desired[0].last! >= 38 && result.policy.peakReplicas <= 60, "\(result.timeline.desired[0])")
        // Every scale action was one of the triggers'.
        #expect(result.policy.scaleActions == result.triggers.map(\.drove).reduce(0, +), "\(result.triggers)")
        // A condition on a series the backtest does not simulate cannot be replayed, and says so.
        let ghost = try! #require(figures["ghost"])
        #expect(ghost.failed > 0 && ghost.fired == 0 && ghost.firstError == "its condition selects none of the series the backtest simulates")
        // Without conditions to evaluate them, triggers are not replayed, and that is said too.
        let blind = Backtest.run(trace: Self.trace, policy: Self.policy([Self.hot]), options: options)
        #expect(blind.triggers[0].fired == 0 && blind.triggers[0].firstError == "trigger conditions are not replayed in this backtest")
    }

    @Test func scaleDownTriggersStopWhereTheirConditionEnds() {
        // After the load falls, "idle" removes pods one at a time (each removal restarts its cooldown),
        // and stops once the pods that remain are 40 % busy.
        let falling = DemandTrace(times: (0..<180).map { 1_800_000_000 + Double($0) * 60 }, values: (0..<180).map { $0 < 30 ? 2000 : 600 })
        let result = Backtest.run(trace: falling, policy: Self.policy([Self.hot, Self.idle]),
                                  options: BacktestOptions(capacityPerPod: 100, podStartupSeconds: 60), conditions: BacktestPromQLConditions())
        let idle = result.triggers[1]
        #expect(idle.drove > 0 && idle.failed == 0, "\(result.triggers)")
        // 600 at under 40 % of 100 per pod needs more than 15 pods: "idle" never goes below that.
        #expect(result.timeline.desired[0].last! >= 15 && result.timeline.desired[0].last! < 40, "\(result.timeline.desired[0])")
    }
}
