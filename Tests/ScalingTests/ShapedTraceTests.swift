import Foundation
import Testing
@testable import Scaling

/// The shipped predictive policy on the real shaped traces under Traces/ (idle nights and weekends,
/// a hard morning ramp, holidays): short of capacity far less often than the HPA at a 70 % target,
/// for fewer replica-hours. The first five weeks of each keep the run short; the first of them
/// has no history, so these figures are worse than the whole trace's (docs/benchmarks.md).
@Suite struct ShapedTraceTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let policyPath = here.appendingPathComponent("../../rules/scaling/web-predictive.yaml").standardized.path

    static func trace(_ name: String, weeks: Double) throws -> (DemandTrace, String) {
        let path = here.appendingPathComponent("Traces/\(name)").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let full = try DemandTrace.parse(text, path: path)
        let end = full.times[0] + weeks * 7 * 86_400
        let kept = full.times.indices.filter { full.times[$0] < end }
        return (DemandTrace(times: kept.map { full.times[$0] }, values: kept.map { full.values[$0] }), text)
    }

    @Test(arguments: [("bank_calls_5m.csv", "07:00-07:30"), ("nyc_flights_airborne_5m.csv", "05:30-07:00")])
    func theShippedPolicyBeatsTheReferenceHPA(name: String, ramp: String) throws {
        let (trace, text) = try Self.trace(name, weeks: 5)
        #expect(text.hasPrefix("# ") && text.contains("Source:") && text.contains("Made by make-traces.py"), "the file says where it came from")
        let policies = try PolicyFile.parse(try String(contentsOfFile: Self.policyPath, encoding: .utf8), path: Self.policyPath)
        let policy = try #require(policies.first)
        let result = Backtest.run(trace: trace.scaled(toPeak: 2000), policy: policy,
                                  options: BacktestOptions(capacityPerPod: 100, podStartupSeconds: 90))
        let reference = result.reference
        #expect(reference.underProvisionedSeconds > 1800, "the reference HPA falls behind the ramps: \(reference)")
        #expect(result.policy.underProvisionedSeconds <= 0.25 * reference.underProvisionedSeconds,
                "policy \(result.policy.underProvisionedSeconds) s short, hpa@70% \(reference.underProvisionedSeconds) s")
        #expect(result.policy.replicaHours <= reference.replicaHours,
                "policy \(result.policy.replicaHours) replica-hours, hpa@70% \(reference.replicaHours)")
        #expect(result.policy.replicaHours <= 1.3 * result.oracle.replicaHours,
                "policy \(result.policy.replicaHours) replica-hours, oracle \(result.oracle.replicaHours)")

        // The morning ramp recurs at the same time: from the second day the policy has pods ready
        // for it; the reference HPA starts them after it has begun.
        let window = try #require(BacktestDailyWindow.parse(ramp))
        let daily = BacktestDailyWindow(result, start: window.start, end: window.end)
        let policyShort = daily.variants[0], referenceShort = daily.variants[3]
        #expect(daily.days >= 24 && referenceShort.variant == "hpa@70%")
        #expect(referenceShort.daysShort >= daily.days / 2, "\(daily)")
        #expect(policyShort.daysShort <= daily.days / 4, "\(daily)")
    }

    @Test func dailyWindowsReadAsUTCClockTimes() throws {
        #expect(BacktestDailyWindow.parse("07:00-07:30")! == (25_200, 27_000))
        #expect(BacktestDailyWindow.parse("22:00-02:00")! == (79_200, 7_200))
        for bad in ["7:3-8", "07:00", "07:00-07:00", "25:00-26:00", "07:60-08:00", "x-y"] {
            #expect(BacktestDailyWindow.parse(bad) == nil, "\(bad)")
        }
        // Two days with demand from 23:00 to 01:00; the policy is short from 23:00 to 23:01 on the first.
        let step = 60.0
        let start = 1_767_225_600.0 + 22 * 3600  // 22:00 UTC
        let steps = Int(2 * 86_400 / step)
        var timeline = BacktestTimeline(start: start, step: step, desired: Array(repeating: [], count: 4), ready: Array(repeating: [], count: 4))
        for index in 0..<steps {
            let ofDay = (start + Double(index) * step).truncatingRemainder(dividingBy: 86_400)
            let demand = ofDay >= 23 * 3600 || ofDay < 3600 ? 150.0 : 0
            timeline.demand.append(demand)
            for variant in 0..<4 { timeline.ready[variant].append(variant == 0 && index == 60 ? 1 : 2) }
        }
        let figures = ["policy", "hpa", "oracle", "hpa@70%"].map {
            BacktestFigures(variant: $0, underProvisionedSeconds: 0, unservedDemandFraction: 0, replicaHours: 0, scaleActions: 0, peakReplicas: 0)
        }
        let result = BacktestResult(policy: figures[0], hpa: figures[1], oracle: figures[2], reference: figures[3], timeline: timeline,
                                    options: BacktestOptions(capacityPerPod: 100, podStartupSeconds: 60))
        let window = BacktestDailyWindow(result, start: 79_200, end: 7_200)
        #expect(window.days == 2)
        #expect(window.variants[0] == .init(variant: "policy", daysShort: 1, underProvisionedSeconds: 60))
        #expect(window.variants[1].daysShort == 0)
    }
}
