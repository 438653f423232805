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

    @Test(arguments: ["bank_calls_5m.csv", "nyc_flights_airborne_5m.csv"])
    func theShippedPolicyBeatsTheReferenceHPA(name: String) throws {
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
    }
}
