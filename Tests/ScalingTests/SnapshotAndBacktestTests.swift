import Foundation
import Testing
@testable import Scaling

/// Decision snapshots (deterministic decisions from a file) and the backtest simulator.
@Suite struct SnapshotAndBacktestTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test func snapshotDecisionIsTheHPAs() throws {
        let path = Self.fixtures.appendingPathComponent("cpu-scale-up.json").path
        let snapshot = try DecisionSnapshot.parse(try String(contentsOfFile: path, encoding: .utf8), path: path)
        let decision = snapshot.decide()
        // 450m of 500m is 90% against 60%: 6 replicas, held to 5 by the 1-pod-per-minute policy.
        #expect(decision.reactive.proposals.map(\.replicas) == [6, 6])
        #expect(decision.reactive.proposals.first?.utilization == 90)
        #expect(decision.desiredReplicas == 5 && decision.reactive.limitedBy == "ScaleUpLimit")
        #expect(decision.reactive.conditions.map(\.reason) == ["ReadyForNewScale", "ValidMetricFound", "ScaleUpLimit"])
        #expect(snapshot.decide() == decision)
    }

    @Test(arguments: [
        (#"{"now": "x", "policy": {}, "target": {"specReplicas": 1}}"#, "s.json:1: now must be a date"),
        ("{\n\"now\": \"2026-11-22T10:00:00Z\",\n\"policy\": {\"name\": \"a\", \"target\": {\"kind\": \"Deployment\", \"name\": \"a\"}, \"maxReplicas\": 3,\n  \"metrics\": [{\"type\": \"Pods\", \"pods\": {\"metric\": {\"name\": \"rps\"}, \"target\": {\"type\": \"AverageValue\", \"averageValue\": \"1\"}}}]},\n\"target\": {\"specReplicas\": 1},\n\"pods\": [{\"name\": \"a-1\", \"phase\": \"Sleeping\"}]}",
         "s.json:6: phase must be"),
        ("{\n\"now\": \"2026-11-22T10:00:00Z\",\n\"policy\": {\"name\": \"a\", \"target\": {\"kind\": \"Deployment\", \"name\": \"a\"}, \"maxReplicas\": 3,\n  \"metrics\": [{\"type\": \"Pods\", \"pods\": {\"metric\": {\"name\": \"rps\"}, \"target\": {\"type\": \"AverageValue\", \"averageValue\": \"1\"}}}]},\n\"target\": {\"specReplicas\": 1},\n\"metrics\": {\"pods\": [{\"pod\": \"a-1\", \"name\": \"rps\", \"value\": \"lots\", \"timestamp\": 0}]}}",
         "s.json:6: value must be a quantity"),
    ])
    func snapshotErrorsNameTheLine(_ text: String, _ message: String) {
        #expect { _ = try DecisionSnapshot.parse(text, path: "s.json") } throws: { "\($0)".hasPrefix(message) }
    }

    /// A day that jumps from 400 to 1,600 requests/s at 09:00 and back at 18:00, for a week.
    static func officeTrace() -> DemandTrace {
        var times: [Double] = []
        var values: [Double] = []
        for minute in stride(from: 0, to: 7 * 1440, by: 5) {
            let hour = (minute % 1440) / 60
            times.append(1_767_225_600 + Double(minute) * 60)
            values.append(hour >= 9 && hour < 18 ? 1600 : 400)
        }
        return DemandTrace(times: times, values: values)
    }

    @Test func forecastsAndSchedulesBeatTheHPAOnAKnownPeak() throws {
        let trace = Self.officeTrace()
        let metric = MetricSpecification(source: .pods("rps"), target: .averageValue(100_000))
        var policy = ScalingPolicy(name: "web", target: .init(name: "web"), minReplicas: 2, maxReplicas: 40, metrics: [metric])
        policy.predictive = PredictiveSettings(seasons: [86_400], historySeconds: 2 * 86_400, resolutionSeconds: 300, podStartupSeconds: 120)
        let options = BacktestOptions(capacityPerPod: 100, podStartupSeconds: 120)
        var fractions: [Double] = []
        let result = Backtest.run(trace: trace, policy: policy, options: options) { fractions.append($0) }
        #expect(result.oracle.underProvisionedSeconds == 0)
        #expect(result.hpa.underProvisionedSeconds > 0)
        // From the third day on the forecast starts pods before 09:00; the HPA reacts after.
        #expect(result.policy.underProvisionedSeconds < 0.5 * result.hpa.underProvisionedSeconds,
                "policy \(result.policy.underProvisionedSeconds) hpa \(result.hpa.underProvisionedSeconds)")
        #expect(result.policy.replicaHours < 1.15 * result.oracle.replicaHours)
        #expect(result.timeline.demand.count == result.timeline.ready[0].count && result.timeline.ready[2].count == result.timeline.demand.count)
        #expect(fractions.last == 1 && fractions == fractions.sorted())

        // A schedule that opens at 08:50 covers the jump from the first day.
        var scheduled = ScalingPolicy(name: "web", target: .init(name: "web"), minReplicas: 2, maxReplicas: 40, metrics: [metric])
        scheduled.schedules = [ScheduleWindow(name: "day", timing: .recurring(start: try CronExpression("50 8 * * *"), end: try CronExpression("0 18 * * *")),
                                              timeZone: TimeZone(identifier: "UTC")!, minReplicas: 16)]
        let withSchedule = Backtest.run(trace: trace, policy: scheduled, options: options)
        #expect(withSchedule.policy.underProvisionedSeconds == 0, "\(withSchedule.policy)")
    }

    @Test func traceErrorsNameTheLine() {
        #expect { _ = try DemandTrace.parse("timestamp,value\n2026-01-01T00:00:00Z,1\n2026-01-01T00:00:00Z,2\n", path: "t.csv") }
            throws: { "\($0)".hasPrefix("t.csv:3: timestamps must increase") }
        #expect { _ = try DemandTrace.parse("timestamp,value\nyesterday,1\n", path: "t.csv") } throws: { "\($0)".hasPrefix("t.csv:2: \"yesterday\"") }
        #expect { _ = try DemandTrace.parse("timestamp,value\n0,1\n60,-4\n", path: "t.csv") } throws: { "\($0)".hasPrefix("t.csv:3:") }
    }
}
