import ArgumentParser
import Foundation
import ScalingRuntime
import TimeSeriesCore

/// `surge history`: the scaling audit trail of a data directory, as `kubectl describe hpa` shows
/// events, each change with the decision's explanation.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what scaling decided and did, from the audit trail of a data directory.",
        discussion: "Lists actions (applied, failed, dry run, refused, not the leader) and the decisions that changed the replica count, "
            + "newest last, with the explanation of each decision.")

    @Option(name: .customLong("data-dir"), help: "The server's data directory. (default: ./data)")
    var dataDir = "data"

    @Option(help: "Only this target: NAMESPACE/NAME.")
    var target: String?

    @Option(help: "Only entries this recent, such as 1h or 30m.")
    var since: String?

    @Flag(help: "Every decision, also those that keep the replica count.")
    var all = false

    @Option(name: .shortAndLong, help: "text or json.")
    var output: OutputFormat = .text

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    func run() async throws {
        let directory = URL(fileURLWithPath: dataDir).appendingPathComponent("audit")
        guard FileManager.default.fileExists(atPath: directory.path) else {
            throw ValidationError("\(directory.path): no audit trail here (surge serve writes one under its data directory when it evaluates policies)")
        }
        var cutoff: Date?
        if let since {
            guard let milliseconds = parseDuration(since) else { throw ValidationError("--since: not a duration such as 1h: \(since)") }
            cutoff = Date().addingTimeInterval(-Double(milliseconds) / 1000)
        }
        let entries = AuditTrail.read(directory: directory).filter { entry in
            (target.map { "\(entry.namespace)/\(entry.target)" == $0 } ?? true)
                && (cutoff.map { entry.time >= $0 } ?? true)
                && (all || entry.kind == .action || entry.desiredReplicas != entry.currentReplicas)
        }
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for entry in entries { print(String(decoding: try encoder.encode(entry), as: UTF8.self)) }
        case .text:
            print(Self.table(entries, now: Date()))
        }
    }

    /// Events the way kubectl describes them: type, reason, age, from, message; a decision's
    /// explanation under it.
    static func table(_ entries: [AuditEntry], now: Date) -> String {
        guard !entries.isEmpty else { return "No scaling decisions or actions recorded." }
        var lines: [String] = []
        var lastTarget = ""
        for entry in entries {
            let target = entry.targetKind == "NodeGroup" ? "NodeGroup \(entry.target)"
                : "\(entry.targetKind) \(entry.namespace)/\(entry.target) (policy \(entry.policy))"
            if target != lastTarget {
                if !lastTarget.isEmpty { lines.append("") }
                lines.append(target)
                lines.append("  Type     Reason              Age      Message")
                lastTarget = target
            }
            let (type, reason, message) = Self.describe(entry)
            let age = formatDuration(max(0, Int64(now.timeIntervalSince(entry.time) * 1000)) / 1000 * 1000)
            lines.append("  " + [type.padding(toLength: 8, withPad: " ", startingAt: 0), reason.padding(toLength: 19, withPad: " ", startingAt: 0),
                                 age.padding(toLength: 8, withPad: " ", startingAt: 0), message].joined(separator: " "))
            for line in entry.explanation ?? [] { lines.append("      " + line) }
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ entry: AuditEntry) -> (type: String, reason: String, message: String) {
        switch entry.kind {
        case .decision:
            return ("Normal", "Decision", "\(entry.currentReplicas ?? 0) → \(entry.desiredReplicas ?? 0) \(entry.targetKind == "NodeGroup" ? "nodes" : "replicas"), driven by \(entry.drivenBy ?? "metrics")"
                        + (entry.trigger == "arrival" ? " (on a sample's arrival)" : ""))
        case .action:
            let message = (entry.message ?? "") + (entry.request.map { " [\($0)\(entry.status.map { " → \($0)" } ?? "")]" } ?? "")
            switch entry.outcome {
            case "applied": return ("Normal", "SuccessfulRescale", message)
            case "failed": return ("Warning", "FailedRescale", message)
            case "dryRun": return ("Normal", "DryRun", message)
            case "notLeader": return ("Normal", "NotLeader", message)
            case "rateLimited": return ("Normal", "RateLimited", message)
            case "held": return ("Warning", "Held", message)
            default: return ("Warning", "Refused", message)
            }
        }
    }
}
