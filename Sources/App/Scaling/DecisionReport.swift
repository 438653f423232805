import Foundation
import Scaling

/// A policy decision as JSON, or as text that reads like `kubectl describe hpa` plus why.
public enum DecisionReport {
    struct Proposal: Encodable {
        var metric: String
        var type: String
        var replicas: Int?
        var utilization: Int?
        var averageValue: String?
        var value: String?
        var target: String
        var error: String?

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(metric, forKey: .metric)
            try container.encode(type, forKey: .type)
            try container.encode(replicas, forKey: .replicas)
            try container.encode(utilization, forKey: .utilization)
            try container.encode(averageValue, forKey: .averageValue)
            try container.encode(value, forKey: .value)
            try container.encode(target, forKey: .target)
            try container.encode(error, forKey: .error)
        }

        enum CodingKeys: String, CodingKey { case metric, type, replicas, utilization, averageValue, value, target, error }
    }

    struct Floors: Encodable {
        var schedule: Int
        var activeSchedules: [String]
        var forecast: Int?
        var forecastMetric: String?
        var forecastPeak: Double?

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(schedule, forKey: .schedule)
            try container.encode(activeSchedules, forKey: .activeSchedules)
            try container.encode(forecast, forKey: .forecast)
            try container.encode(forecastMetric, forKey: .forecastMetric)
            try container.encode(forecastPeak, forKey: .forecastPeak)
        }

        enum CodingKeys: String, CodingKey { case schedule, activeSchedules, forecast, forecastMetric, forecastPeak }
    }

    struct Report: Encodable {
        var policy: String
        var target: ScalingPolicy.TargetReference
        var now: String
        var desiredReplicas: Int
        var currentReplicas: Int
        var minReplicas: Int
        var maxReplicas: Int
        var proposals: [Proposal]
        var floors: Floors
        var conditions: [ScalingCondition]
        var limitedBy: String?
        var drivenBy: String
        var explanation: [String]
        var history: History

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(policy, forKey: .policy)
            try container.encode(target, forKey: .target)
            try container.encode(now, forKey: .now)
            try container.encode(desiredReplicas, forKey: .desiredReplicas)
            try container.encode(currentReplicas, forKey: .currentReplicas)
            try container.encode(minReplicas, forKey: .minReplicas)
            try container.encode(maxReplicas, forKey: .maxReplicas)
            try container.encode(proposals, forKey: .proposals)
            try container.encode(floors, forKey: .floors)
            try container.encode(conditions, forKey: .conditions)
            try container.encode(limitedBy, forKey: .limitedBy)
            try container.encode(drivenBy, forKey: .drivenBy)
            try container.encode(explanation, forKey: .explanation)
            try container.encode(history, forKey: .history)
        }

        enum CodingKeys: String, CodingKey {
            case policy, target, now, desiredReplicas, currentReplicas, minReplicas, maxReplicas, proposals, floors, conditions, limitedBy, drivenBy,
                 explanation, history
        }
    }

    /// The controller's history after the decision, in the shape a decision snapshot's `history`
    /// takes, so the next decision of a sequence can be replayed from a snapshot.
    struct History: Encodable {
        struct Recommendation: Encodable { var time: String, replicas: Int }
        struct Event: Encodable { var time: String, replicaChange: Int }
        var evaluatedBefore: Bool
        var recommendations: [Recommendation]
        var scaleUpEvents: [Event]
        var scaleDownEvents: [Event]

        init(_ history: ScaleHistory) {
            evaluatedBefore = history.evaluatedBefore
            recommendations = history.recommendations.map { Recommendation(time: $0.time.formatted(.iso8601), replicas: $0.replicas) }
            scaleUpEvents = history.scaleUpEvents.map { Event(time: $0.time.formatted(.iso8601), replicaChange: $0.replicaChange) }
            scaleDownEvents = history.scaleDownEvents.map { Event(time: $0.time.formatted(.iso8601), replicaChange: $0.replicaChange) }
        }
    }

    static func report(_ decision: PolicyDecision, policy: ScalingPolicy, now: Date) -> Report {
        let proposals = zip(policy.metrics, decision.reactive.proposals).map { spec, proposal in
            var entry = Proposal(metric: proposal.metric, type: typeName(spec), replicas: proposal.replicas, utilization: proposal.utilization,
                                 target: targetText(spec.target), error: proposal.error.map { "\($0.reason): \($0.message)" })
            if let current = proposal.current {
                if case .value = spec.target { entry.value = Quantity.format(milli: current) } else { entry.averageValue = Quantity.format(milli: current) }
            }
            return entry
        }
        return Report(policy: policy.name, target: policy.target, now: now.formatted(.iso8601), desiredReplicas: decision.desiredReplicas,
                      currentReplicas: decision.reactive.currentReplicas, minReplicas: policy.minReplicas, maxReplicas: policy.maxReplicas,
                      proposals: proposals,
                      floors: Floors(schedule: decision.schedule.replicas, activeSchedules: decision.schedule.activeWindows,
                                     forecast: decision.forecast?.replicas, forecastMetric: decision.forecast?.metric, forecastPeak: decision.forecast?.peak),
                      conditions: decision.reactive.conditions, limitedBy: decision.reactive.limitedBy, drivenBy: decision.drivenBy.rawValue,
                      explanation: decision.explanation, history: History(decision.reactive.history))
    }

    public static func json(_ decision: PolicyDecision, policy: ScalingPolicy, now: Date, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report(decision, policy: policy, now: now)), as: UTF8.self) + (pretty ? "\n" : "")
    }

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
        rows.append(("Min replicas:", String(policy.minReplicas)))
        rows.append(("Max replicas:", String(policy.maxReplicas)))
        rows.append(("\(policy.target.kind) pods:", "\(report.currentReplicas) current / \(report.desiredReplicas) desired"))
        let width = rows.map(\.0.count).max()! + 2
        var lines = rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + $0.1 }
        lines.append("Conditions:")
        let table = [("Type", "Status", "Reason", "Message"), ("----", "------", "------", "-------")]
            + report.conditions.map { ($0.type, $0.status, $0.reason, $0.message) }
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
        for sentence in report.explanation { lines.append("  - " + sentence) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func typeName(_ spec: MetricSpecification) -> String {
        switch spec.source {
        case .resource: "Resource"
        case .containerResource: "ContainerResource"
        case .pods: "Pods"
        case .object: "Object"
        case .external: "External"
        case .promql: "PromQL"
        }
    }

    static func targetText(_ target: MetricSpecification.Target) -> String {
        switch target {
        case .utilization(let percent): "\(percent)%"
        case .averageValue(let milli): "\(Quantity.format(milli: milli)) (avg)"
        case .value(let milli): Quantity.format(milli: milli)
        }
    }
}
