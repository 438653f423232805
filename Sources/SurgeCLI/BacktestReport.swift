import Foundation
import Scaling

/// A backtest's figures as a table or JSON, and its timeline as CSV.
public enum BacktestReport {
    public static func text(_ result: BacktestResult, policy: ScalingPolicy, trace: String) -> String {
        let rows = [result.policy, result.hpa, result.oracle]
        var lines = ["backtest of policy \"\(policy.name)\" (\(policy.target)) on \(trace)",
                     String(format: "capacity per pod %g, pod start-up %gs, step %gs, policy metric lag %gs; HPA sync %gs, metric lag %gs",
                            result.options.capacityPerPod, result.options.podStartupSeconds, result.options.stepSeconds,
                            result.options.metricLagSeconds, result.options.hpaSyncSeconds, result.options.hpaMetricLagSeconds),
                     ""]
        let header = ["variant", "under-provisioned", "unserved demand", "replica-hours", "scale actions", "peak replicas"]
        var table = [header]
        for row in rows {
            table.append([row.variant, formatSeconds(row.underProvisionedSeconds), String(format: "%.4f%%", row.unservedDemandFraction * 100),
                          String(format: "%.1f", row.replicaHours), String(row.scaleActions), String(row.peakReplicas)])
        }
        let widths = header.indices.map { column in table.map { $0[column].count }.max()! }
        for row in table {
            lines.append(row.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  "))
        }
        lines.append("")
        let underRatio = result.hpa.underProvisionedSeconds > 0 ? result.policy.underProvisionedSeconds / result.hpa.underProvisionedSeconds : nil
        let hoursRatio = result.oracle.replicaHours > 0 ? result.policy.replicaHours / result.oracle.replicaHours : nil
        lines.append("policy / HPA under-provisioned seconds: " + (underRatio.map { String(format: "%.1f%%", $0 * 100) } ?? "n/a (the HPA was never under-provisioned)"))
        lines.append("policy / oracle replica-hours:          " + (hoursRatio.map { String(format: "%.3fx", $0) } ?? "n/a"))
        lines.append("HPA / oracle replica-hours:             " + (result.oracle.replicaHours > 0 ? String(format: "%.3fx", result.hpa.replicaHours / result.oracle.replicaHours) : "n/a"))
        if !result.triggers.isEmpty {
            lines.append("")
            lines.append("triggers (decisions at which the condition held / the trigger fired / scale actions it drove):")
            for trigger in result.triggers {
                lines.append("  \(trigger.name): held \(trigger.held), fired \(trigger.fired), drove \(trigger.drove)"
                             + (trigger.failed > 0 ? "; \(trigger.failed) evaluations failed: \(trigger.firstError ?? "")" : ""))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ result: BacktestResult, policy: ScalingPolicy, trace: String) throws -> String {
        struct Options: Encodable {
            var capacityPerPod, podStartupSeconds, stepSeconds, metricLagSeconds, hpaSyncSeconds, hpaMetricLagSeconds: Double
        }
        struct Report: Encodable {
            var policy: String
            var trace: String
            var options: Options
            var variants: [String: BacktestFigures]
            var policyOverHPAUnderProvisioned: Double?
            var policyOverOracleReplicaHours: Double?
            var triggers: [BacktestTriggerFigures]
        }
        let options = result.options
        let report = Report(
            policy: policy.name, trace: trace,
            options: Options(capacityPerPod: options.capacityPerPod, podStartupSeconds: options.podStartupSeconds, stepSeconds: options.stepSeconds,
                             metricLagSeconds: options.metricLagSeconds, hpaSyncSeconds: options.hpaSyncSeconds, hpaMetricLagSeconds: options.hpaMetricLagSeconds),
            variants: ["policy": result.policy, "hpa": result.hpa, "oracle": result.oracle],
            policyOverHPAUnderProvisioned: result.hpa.underProvisionedSeconds > 0 ? result.policy.underProvisionedSeconds / result.hpa.underProvisionedSeconds : nil,
            policyOverOracleReplicaHours: result.oracle.replicaHours > 0 ? result.policy.replicaHours / result.oracle.replicaHours : nil,
            triggers: result.triggers)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// One row per step: time, demand, then desired and ready replicas of each variant.
    public static func timelineCSV(_ result: BacktestResult) -> String {
        let timeline = result.timeline
        var out = "time,demand," + result.variants.map { "\($0)_desired,\($0)_ready" }.joined(separator: ",") + "\n"
        out.reserveCapacity(timeline.demand.count * 64)
        let formatter = ISO8601DateFormatter()
        for index in timeline.demand.indices {
            out += formatter.string(from: Date(timeIntervalSince1970: timeline.start + Double(index) * timeline.step))
            out += "," + String(format: "%.3f", timeline.demand[index])
            for variant in 0..<3 {
                out += ",\(timeline.desired[variant][index]),\(timeline.ready[variant][index])"
            }
            out += "\n"
        }
        return out
    }

    static func formatSeconds(_ seconds: Double) -> String {
        if seconds < 120 { return String(format: "%.0fs", seconds) }
        if seconds < 7200 { return String(format: "%.1fm", seconds / 60) }
        return String(format: "%.2fh", seconds / 3600)
    }
}
