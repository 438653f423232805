import Foundation
import Scaling

/// A policy decision as JSON: what `/api/v1/scaling/decisions` and `surge decide -o json` show.
public enum DecisionReport {
    package struct Proposal: Encodable, Sendable {
        package var metric: String
        package var type: String
        package var replicas: Int?
        package var utilization: Int?
        package var averageValue: String?
        package var value: String?
        package var target: String
        package var error: String?

        package func encode(to encoder: Encoder) throws {
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

    package struct Floors: Encodable, Sendable {
        package var schedule: Int
        package var activeSchedules: [String]
        package var forecast: Int?
        package var forecastMetric: String?
        package var forecastPeak: Double?

        package func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(schedule, forKey: .schedule)
            try container.encode(activeSchedules, forKey: .activeSchedules)
            try container.encode(forecast, forKey: .forecast)
            try container.encode(forecastMetric, forKey: .forecastMetric)
            try container.encode(forecastPeak, forKey: .forecastPeak)
        }

        enum CodingKeys: String, CodingKey { case schedule, activeSchedules, forecast, forecastMetric, forecastPeak }
    }

    /// A threshold trigger at the decision.
    package struct Trigger: Encodable, Sendable {
        package var name: String
        package var when: String
        package var change: String
        package var status: String
        package var replicas: Int?
        package var holdingSince: String?
        package var coolingDownUntil: String?
        package var error: String?

        package func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(when, forKey: .when)
            try container.encode(change, forKey: .change)
            try container.encode(status, forKey: .status)
            try container.encode(replicas, forKey: .replicas)
            try container.encode(holdingSince, forKey: .holdingSince)
            try container.encode(coolingDownUntil, forKey: .coolingDownUntil)
            try container.encode(error, forKey: .error)
        }

        enum CodingKeys: String, CodingKey { case name, when, change, status, replicas, holdingSince, coolingDownUntil, error }
    }

    package struct Report: Encodable, Sendable {
        package var policy: String
        package var target: ScalingPolicy.TargetReference
        package var now: String
        package var desiredReplicas: Int
        package var currentReplicas: Int
        package var minReplicas: Int
        package var maxReplicas: Int
        package var proposals: [Proposal]
        package var floors: Floors
        package var triggers: [Trigger]
        package var conditions: [ScalingCondition]
        package var limitedBy: String?
        package var drivenBy: String
        package var explanation: [String]
        package var history: History

        package func encode(to encoder: Encoder) throws {
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
            try container.encode(triggers, forKey: .triggers)
            try container.encode(conditions, forKey: .conditions)
            try container.encode(limitedBy, forKey: .limitedBy)
            try container.encode(drivenBy, forKey: .drivenBy)
            try container.encode(explanation, forKey: .explanation)
            try container.encode(history, forKey: .history)
        }

        enum CodingKeys: String, CodingKey {
            case policy, target, now, desiredReplicas, currentReplicas, minReplicas, maxReplicas, proposals, floors, triggers, conditions, limitedBy, drivenBy,
                 explanation, history
        }
    }

    /// The controller's history after the decision, in the shape a decision snapshot's `history`
    /// takes, so the next decision of a sequence can be replayed from a snapshot.
    package struct History: Encodable, Sendable {
        package struct Recommendation: Encodable, Sendable {
            package var time: String
            package var replicas: Int
        }
        package struct Event: Encodable, Sendable {
            package var time: String
            package var replicaChange: Int
        }
        package var evaluatedBefore: Bool
        package var recommendations: [Recommendation]
        package var scaleUpEvents: [Event]
        package var scaleDownEvents: [Event]

        init(_ history: ScaleHistory) {
            evaluatedBefore = history.evaluatedBefore
            recommendations = history.recommendations.map { Recommendation(time: $0.time.formatted(.iso8601), replicas: $0.replicas) }
            scaleUpEvents = history.scaleUpEvents.map { Event(time: $0.time.formatted(.iso8601), replicaChange: $0.replicaChange) }
            scaleDownEvents = history.scaleDownEvents.map { Event(time: $0.time.formatted(.iso8601), replicaChange: $0.replicaChange) }
        }
    }

    package static func report(_ decision: PolicyDecision, policy: ScalingPolicy, now: Date) -> Report {
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
                      triggers: zip(policy.triggers, decision.triggers).map { trigger, outcome in
                          Trigger(name: trigger.name, when: trigger.when, change: trigger.changeText, status: outcome.status.rawValue,
                                  replicas: outcome.replicas, holdingSince: outcome.holdingSince?.formatted(.iso8601),
                                  coolingDownUntil: outcome.coolingDownUntil?.formatted(.iso8601), error: outcome.error)
                      },
                      conditions: decision.reactive.conditions, limitedBy: decision.reactive.limitedBy, drivenBy: decision.drivenBy.rawValue,
                      explanation: decision.explanation, history: History(decision.reactive.history))
    }

    public static func json(_ decision: PolicyDecision, policy: ScalingPolicy, now: Date, pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report(decision, policy: policy, now: now)), as: UTF8.self) + (pretty ? "\n" : "")
    }

    package static func typeName(_ spec: MetricSpecification) -> String {
        switch spec.source {
        case .resource: "Resource"
        case .containerResource: "ContainerResource"
        case .pods: "Pods"
        case .object: "Object"
        case .external: "External"
        case .promql: "PromQL"
        }
    }

    package static func targetText(_ target: MetricSpecification.Target) -> String {
        switch target {
        case .utilization(let percent): "\(percent)%"
        case .averageValue(let milli): "\(Quantity.format(milli: milli)) (avg)"
        case .value(let milli): Quantity.format(milli: milli)
        }
    }
}
