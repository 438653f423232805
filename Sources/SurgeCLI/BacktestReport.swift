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
        lines += aligned(table)
        lines.append("")
        let ratios = Ratios(result)
        func times(_ value: Double?) -> String { value.map { String(format: "%.3fx", $0) } ?? "n/a (never under-provisioned)" }
        lines.append("policy / \(result.reference.variant):  under-provisioned seconds \(times(ratios.underVsReference)), replica-hours \(times(ratios.hoursVsReference))")
        lines.append("policy / hpa:  under-provisioned seconds \(times(ratios.underVsHPA)), replica-hours \(times(ratios.hoursVsHPA))")
        lines.append("policy / oracle replica-hours \(times(ratios.hoursVsOracle)); \(result.reference.variant) / oracle replica-hours \(times(ratios.referenceHoursVsOracle))")
        if let nodes = options.nodes, !result.nodes.isEmpty {
            lines.append("")
            lines.append(String(format: "nodes: %d pods per node, boot %gs; policy = nodes started for the pods its floors want within a boot, "
                                + "hpa and %@ = Cluster Autoscaler on Pending pods, oracle = each node one boot ahead",
                                nodes.podsPerNode, nodes.bootSeconds, result.reference.variant))
            var table = [["variant", "pending-pod seconds", "node-hours", "node actions", "peak nodes"]]
            for row in result.nodes {
                table.append([row.variant, String(format: "%.0f", row.pendingPodSeconds), String(format: "%.1f", row.nodeHours),
                              String(row.nodeActions), String(row.peakNodes)])
            }
            lines += aligned(table)
            let ratios = NodeRatios(result)
            func times(_ value: Double?) -> String { value.map { String(format: "%.3fx", $0) } ?? "n/a (no pending pods)" }
            lines.append("policy / \(result.reference.variant) + CA:  pending-pod seconds \(times(ratios.pendingVsReference)), node-hours \(times(ratios.nodeHoursVsReference))")
            lines.append("policy / hpa + CA:  pending-pod seconds \(times(ratios.pendingVsHPA)), node-hours \(times(ratios.nodeHoursVsHPA))")
        }
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

    /// Rows with the first column left-aligned and the others right-aligned.
    static func aligned(_ table: [[String]]) -> [String] {
        let widths = table[0].indices.map { column in table.map { $0[column].count }.max()! }
        return table.map { row in
            row.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }
    }

    /// The policy's nodes against each HPA with Cluster Autoscaler; nil where the baseline's figure is zero.
    public struct NodeRatios: Encodable, Sendable {
        public var pendingVsReference: Double?
        public var nodeHoursVsReference: Double?
        public var pendingVsHPA: Double?
        public var nodeHoursVsHPA: Double?

        public init(_ result: BacktestResult) {
            func ratio(_ a: Double, _ b: Double) -> Double? { b > 0 ? a / b : nil }
            let (policy, hpa, reference) = (result.nodes[0], result.nodes[1], result.nodes[3])
            pendingVsReference = ratio(policy.pendingPodSeconds, reference.pendingPodSeconds)
            nodeHoursVsReference = ratio(policy.nodeHours, reference.nodeHours)
            pendingVsHPA = ratio(policy.pendingPodSeconds, hpa.pendingPodSeconds)
            nodeHoursVsHPA = ratio(policy.nodeHours, hpa.nodeHours)
        }
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
            var nodeOptions: NodeBacktestOptions?
            var nodes: [String: NodeFigures]?
            var nodeRatios: NodeRatios?
        }
        let options = result.options
        let report = Report(
            policy: policy.name, trace: trace,
            options: Options(capacityPerPod: options.capacityPerPod, podStartupSeconds: options.podStartupSeconds, stepSeconds: options.stepSeconds,
                             metricLagSeconds: options.metricLagSeconds, hpaSyncSeconds: options.hpaSyncSeconds, hpaMetricLagSeconds: options.hpaMetricLagSeconds,
                             baselineTarget: options.baselineTarget, interpolate: options.interpolate),
            variants: Dictionary(uniqueKeysWithValues: zip(["policy", "hpa", "oracle", "reference"], result.figures)),
            ratios: Ratios(result),
            triggers: result.triggers, dailyWindow: window, nodeOptions: options.nodes,
            nodes: result.nodes.isEmpty ? nil : Dictionary(uniqueKeysWithValues: zip(["policy", "hpa", "oracle", "reference"], result.nodes)),
            nodeRatios: result.nodes.isEmpty ? nil : NodeRatios(result))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    /// One row per step: time, demand, then desired and ready replicas of each variant.
    public static func timelineCSV(_ result: BacktestResult) -> String {
        let timeline = result.timeline
        var out = "time,demand," + result.variants.map { "\($0)_desired,\($0)_ready" }.joined(separator: ",") + ",policy_floor"
            + (timeline.nodes.isEmpty ? "" : "," + result.variants.map { "\($0)_nodes" }.joined(separator: ",")) + "\n"
        out.reserveCapacity(timeline.demand.count * 64)
        let formatter = ISO8601DateFormatter()
        for index in timeline.demand.indices {
            out += formatter.string(from: Date(timeIntervalSince1970: timeline.start + Double(index) * timeline.step))
            out += "," + String(format: "%.3f", timeline.demand[index])
            for variant in timeline.desired.indices {
                out += ",\(timeline.desired[variant][index]),\(timeline.ready[variant][index])"
            }
            out += index < timeline.floor.count ? ",\(timeline.floor[index])" : ",0"
            for variant in timeline.nodes.indices { out += ",\(timeline.nodes[variant][index])" }
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
