import Foundation
import Scaling

/// A backtest's figures as a table or JSON, and its timeline as CSV.
public enum BacktestReport {
    public static func text(_ result: BacktestResult, policy: ScalingPolicy, trace: String, window: BacktestDailyWindow? = nil) -> String {
        let options = result.options
        var lines = ["backtest of policy \"\(policy.name)\" (\(policy.target)) on \(trace)",
                     String(format: "capacity per pod %g, pod start-up %gs, step %gs, policy metric lag %gs; HPA sync %gs, metric lag %gs",
                            options.capacityPerPod, options.podStartupSeconds, options.stepSeconds,
                            options.metricLagSeconds, options.hpaSyncSeconds, options.hpaMetricLagSeconds),
                     options.interpolate ? "demand between trace points: interpolated linearly (--interpolate)"
                         : "demand between trace points: each value holds until the next point (no interpolation)",
                     "baselines: hpa = the HPA with the policy's metrics and target; \(result.reference.variant) = the HPA at "
                         + String(format: "%g%%", options.baselineTarget * 100) + " of pod capacity, minReplicas 1;"
                         + " oracle = exactly enough ready capacity at every step, started one pod start-up ahead",
                     ""]
        let header = ["variant", "under-provisioned", "unserved demand", "replica-hours", "scale actions", "peak replicas"]
        var table = [header]
        for row in result.figures {
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
        let ratios = Ratios(result)
        func times(_ value: Double?) -> String { value.map { String(format: "%.3fx", $0) } ?? "n/a (never under-provisioned)" }
        lines.append("policy / \(result.reference.variant):  under-provisioned seconds \(times(ratios.underVsReference)), replica-hours \(times(ratios.hoursVsReference))")
        lines.append("policy / hpa:  under-provisioned seconds \(times(ratios.underVsHPA)), replica-hours \(times(ratios.hoursVsHPA))")
        lines.append("policy / oracle replica-hours \(times(ratios.hoursVsOracle)); \(result.reference.variant) / oracle replica-hours \(times(ratios.referenceHoursVsOracle))")
        if let window {
            func clock(_ seconds: Int) -> String { String(format: "%02d:%02d", seconds / 3600, seconds % 3600 / 60) }
            lines.append("")
            lines.append("daily window \(clock(window.start))-\(clock(window.end)) UTC, \(window.days) days with demand in it; days short (time short):")
            lines.append("  " + window.variants.map { "\($0.variant) \($0.daysShort) (\(formatSeconds($0.underProvisionedSeconds)))" }.joined(separator: ", "))
        }
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

    /// The policy against each baseline; nil where the baseline's figure is zero.
    public struct Ratios: Encodable, Sendable {
        public var underVsReference: Double?
        public var hoursVsReference: Double?
        public var underVsHPA: Double?
        public var hoursVsHPA: Double?
        public var hoursVsOracle: Double?
        public var referenceHoursVsOracle: Double?

        public init(_ result: BacktestResult) {
            func ratio(_ a: Double, _ b: Double) -> Double? { b > 0 ? a / b : nil }
            underVsReference = ratio(result.policy.underProvisionedSeconds, result.reference.underProvisionedSeconds)
            hoursVsReference = ratio(result.policy.replicaHours, result.reference.replicaHours)
            underVsHPA = ratio(result.policy.underProvisionedSeconds, result.hpa.underProvisionedSeconds)
            hoursVsHPA = ratio(result.policy.replicaHours, result.hpa.replicaHours)
            hoursVsOracle = ratio(result.policy.replicaHours, result.oracle.replicaHours)
            referenceHoursVsOracle = ratio(result.reference.replicaHours, result.oracle.replicaHours)
        }
    }

    public static func json(_ result: BacktestResult, policy: ScalingPolicy, trace: String, window: BacktestDailyWindow? = nil) throws -> String {
        struct Options: Encodable {
            var capacityPerPod, podStartupSeconds, stepSeconds, metricLagSeconds, hpaSyncSeconds, hpaMetricLagSeconds, baselineTarget: Double
            var interpolate: Bool
        }
        struct Report: Encodable {
            var policy: String
            var trace: String
            var options: Options
            var variants: [String: BacktestFigures]
            var ratios: Ratios
            var triggers: [BacktestTriggerFigures]
            var dailyWindow: BacktestDailyWindow?
        }
        let options = result.options
        let report = Report(
            policy: policy.name, trace: trace,
            options: Options(capacityPerPod: options.capacityPerPod, podStartupSeconds: options.podStartupSeconds, stepSeconds: options.stepSeconds,
                             metricLagSeconds: options.metricLagSeconds, hpaSyncSeconds: options.hpaSyncSeconds, hpaMetricLagSeconds: options.hpaMetricLagSeconds,
                             baselineTarget: options.baselineTarget, interpolate: options.interpolate),
            variants: Dictionary(uniqueKeysWithValues: zip(["policy", "hpa", "oracle", "reference"], result.figures)),
            ratios: Ratios(result),
            triggers: result.triggers, dailyWindow: window)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// One row per step: time, demand, then desired and ready replicas of each variant.
    public static func timelineCSV(_ result: BacktestResult) -> String {
        let timeline = result.timeline
        var out = "time,demand," + result.variants.map { "\($0)_desired,\($0)_ready" }.joined(separator: ",") + ",policy_floor\n"
        out.reserveCapacity(timeline.demand.count * 64)
        let formatter = ISO8601DateFormatter()
        for index in timeline.demand.indices {
            out += formatter.string(from: Date(timeIntervalSince1970: timeline.start + Double(index) * timeline.step))
            out += "," + String(format: "%.3f", timeline.demand[index])
            for variant in timeline.desired.indices {
                out += ",\(timeline.desired[variant][index]),\(timeline.ready[variant][index])"
            }
            out += index < timeline.floor.count ? ",\(timeline.floor[index])\n" : ",0\n"
        }
        return out
    }

    static func formatSeconds(_ seconds: Double) -> String {
        if seconds < 120 { return String(format: "%.0fs", seconds) }
        if seconds < 7200 { return String(format: "%.1fm", seconds / 60) }
        return String(format: "%.2fh", seconds / 3600)
    }
}
