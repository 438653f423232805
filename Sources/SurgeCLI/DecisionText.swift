import Foundation
import Scaling
import ScalingRuntime

extension DecisionReport {
    /// A policy decision as text that reads like `kubectl describe hpa`, plus why.
    public static func text(_ decision: PolicyDecision, policy: ScalingPolicy, now: Date) -> String {
        let report = report(decision, policy: policy, now: now)
        var rows: [(String, String)] = [("Name:", policy.name), ("Namespace:", policy.target.namespace),
                                        ("Reference:", "\(policy.target.kind)/\(policy.target.name)"),
                                        ("Metrics:", "( current / target )")]
        for proposal in report.proposals {
            let current = proposal.utilization.map { "\($0)% (\(proposal.averageValue ?? "?"))" } ?? proposal.averageValue ?? proposal.value ?? "<unknown>"
            let label = proposal.utilization != nil || proposal.target.hasSuffix("%") ? "  \(proposal.metric) (as a percentage of request):" : "  \(proposal.metric):"
            rows.append((label, "\(current) / \(proposal.target)"))
        }
        if !report.triggers.isEmpty { rows.append(("Triggers:", "( status: condition → change )")) }
        for trigger in report.triggers {
            rows.append(("  \(trigger.name):", "\(trigger.status): \(trigger.when) → \(trigger.change)"))
        }
        rows.append(("Min replicas:", String(policy.minReplicas)))
        rows.append(("Max replicas:", String(policy.maxReplicas)))
        rows.append(("\(policy.target.kind) pods:", "\(report.currentReplicas) current / \(report.desiredReplicas) desired"))
        let width = rows.map(\.0.count).max()! + 2
        var lines = rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + $0.1 }
        lines.append("Conditions:")
        let table = [("Type", "Status", "Reason", "Message"), ("----", "------", "------", "-------")]
            + report.conditions.map { ($0.type, $0.status.rawValue, $0.reason, $0.message) }
        let w0 = table.map(\.0.count).max()! + 2, w1 = table.map(\.1.count).max()! + 2, w2 = table.map(\.2.count).max()! + 2
        for row in table {
            lines.append("  " + row.0.padding(toLength: w0, withPad: " ", startingAt: 0) + row.1.padding(toLength: w1, withPad: " ", startingAt: 0)
                         + row.2.padding(toLength: w2, withPad: " ", startingAt: 0) + row.3)
        }
        lines.append("Decision:")
        lines.append("  desired replicas \(report.desiredReplicas), driven by \(report.drivenBy)" + (report.limitedBy.map { ", limited by \($0)" } ?? ""))
        let floors = report.floors
        lines.append("  floors: schedule \(floors.schedule)" + (floors.activeSchedules.isEmpty ? "" : " (\(floors.activeSchedules.joined(separator: ", ")))")
                     + ", forecast " + (floors.forecast.map(String.init) ?? (policy.predictive == nil ? "off" : "not ready")))
        for proposal in report.proposals {
            lines.append("  \(proposal.metric) proposes " + (proposal.replicas.map { "\($0) replicas" } ?? "nothing: \(proposal.error ?? "no value")"))
        }
        for trigger in report.triggers where trigger.replicas != nil {
            lines.append("  trigger \(trigger.name) proposes \(trigger.replicas!) replicas")
        }
        for sentence in report.explanation { lines.append("  - " + sentence) }
        return lines.joined(separator: "\n") + "\n"
    }
}
