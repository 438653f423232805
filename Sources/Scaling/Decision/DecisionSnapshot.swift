import Foundation
import YAMLFiles
import Yams

/// Everything one decision needs, frozen in a file, so `surge decide --snapshot` is deterministic:
///
/// ```json
/// {"now": "2026-11-22T10:00:00Z",
///  "policy": {"name": "web", "target": {"kind": "Deployment", "name": "web"}, "maxReplicas": 10, "metrics": [...]},
///  "controller": {"tolerance": 0.1, "downscaleStabilizationWindowSeconds": 300},
///  "target": {"specReplicas": 4, "statusReplicas": 4},
///  "pods": [{"name": "web-1", "phase": "Running", "ready": true, "startTime": "...", "readyTransitionTime": "...",
///            "containers": [{"name": "app", "requests": {"cpu": "500m"}}]}],
///  "metrics": {"resources": [{"pod": "web-1", "container": "app", "name": "cpu", "value": "450m",
///                             "timestamp": "...", "window": "30s"}],
///              "pods": [{"pod": "web-1", "name": "rps", "value": "120", "timestamp": "...", "window": "1m"}],
///              "objects": [{"name": "requests", "value": "2k"}], "external": [{"name": "queue", "value": "40"}],
///              "promql": [{"query": "sum(rate(x[1m]))", "value": "530"}]},
///  "history": {"recommendations": [{"time": "...", "replicas": 5}], "scaleUpEvents": [], "scaleDownEvents": []},
///  // without "history" (or with "evaluatedBefore": false in it) the policy was never evaluated before
///  "metricHistory": [{"metric": 0, "samples": [{"time": "...", "value": 510}]}],
///  // per threshold trigger of the policy: whether its condition holds now, since when it has held,
///  // and when a scale it drove was last applied
///  "triggers": [{"name": "slow", "holds": true, "holdingSince": "...", "lastScale": "..."}]}
/// ```
public struct DecisionSnapshot: Sendable {
    public var now: Date
    public var policy: ScalingPolicy
    public var controller: ControllerSettings
    public var input: PolicyInput
    public var history: ScaleHistory
    /// Past values per policy metric index, for the forecast.
    public var metricHistory: [(metric: Int, time: Date, value: Double)]
    /// Per threshold trigger, in the policy's order: its state before the decision.
    public var triggerStates: [TriggerState] = []

    static let utc = TimeZone(identifier: "UTC")!

    public static func parse(_ text: String, path: String, validateQuery: (String) -> String? = { _ in nil }) throws -> DecisionSnapshot {
        let reader = NodeReader(path: path)
        guard let root = try reader.compose(text).first else { throw PolicyFileError(path: path, line: nil, message: "the snapshot is empty") }
        let map = try reader.mapping(root, "the snapshot", allowed: ["now", "policy", "controller", "target", "pods", "metrics", "history", "metricHistory",
                                                                          "triggers"])
        let now = try time(try reader.require(map, "now", in: "the snapshot", at: root), "now", reader)
        let policy = try PolicyFile.policy(try reader.require(map, "policy", in: "the snapshot", at: root), reader: reader, validateQuery: validateQuery)
        let controller = try map["controller"].map { try self.controller($0, reader) } ?? ControllerSettings()
        let targetNode = try reader.require(map, "target", in: "the snapshot", at: root)
        let target = try reader.mapping(targetNode, "target", allowed: ["specReplicas", "statusReplicas"])
        let specReplicas = try reader.int(try reader.require(target, "specReplicas", in: "target", at: targetNode), "specReplicas", minimum: 0)
        let statusReplicas = try target["statusReplicas"].map { try reader.int($0, "statusReplicas", minimum: 0) } ?? specReplicas
        let pods = try map["pods"].map { try reader.sequence($0, "pods").map { try pod($0, reader) } } ?? []
        let observations = try map["metrics"].map { try MetricValues.observations($0, policy: policy, reader: reader) }
            ?? policy.metrics.map { .unavailable("unable to get metric \($0.name): the snapshot has no metrics") }
        // Without a history the policy was never evaluated, as for a new HPA.
        let history = try map["history"].map { try self.history($0, reader) } ?? .initial
        var metricHistory: [(Int, Date, Double)] = []
        for entry in try map["metricHistory"].map({ try reader.sequence($0, "metricHistory") }) ?? [] {
            let fields = try reader.mapping(entry, "a metricHistory entry", allowed: ["metric", "samples"])
            let indexNode = try reader.require(fields, "metric", in: "a metricHistory entry", at: entry)
            let index = try reader.int(indexNode, "metric (an index into policy.metrics)", minimum: 0)
            guard index < policy.metrics.count else { throw reader.fail(indexNode, "metric \(index) is not an index into policy.metrics") }
            for sample in try reader.sequence(try reader.require(fields, "samples", in: "a metricHistory entry", at: entry), "samples") {
                let values = try reader.mapping(sample, "a sample", allowed: ["time", "value"])
                metricHistory.append((index, try time(try reader.require(values, "time", in: "a sample", at: sample), "time", reader),
                                      try reader.number(try reader.require(values, "value", in: "a sample", at: sample), "value")))
            }
        }
        var triggerObservations = policy.triggers.map { _ in TriggerObservation.unavailable("the snapshot says nothing of it") }
        var triggerStates = policy.triggers.map { _ in TriggerState() }
        let triggerEntries = try map["triggers"].map { try reader.sequence($0, "triggers") } ?? []
        for (position, entry) in triggerEntries.enumerated() {
            let fields = try reader.mapping(entry, "a trigger entry", allowed: ["name", "holds", "holdingSince", "lastScale"])
            let index: Int
            if let nameNode = fields["name"] {
                let name = try reader.string(nameNode, "name")
                guard let found = policy.triggers.firstIndex(where: { $0.name == name }) else {
                    throw reader.fail(nameNode, "the policy has no trigger named \"\(name)\"")
                }
                index = found
            } else {
                guard position < policy.triggers.count else { throw reader.fail(entry, "the policy has only \(policy.triggers.count) triggers") }
                index = position
            }
            let holds = try reader.bool(try reader.require(fields, "holds", in: "a trigger entry", at: entry), "holds")
            triggerObservations[index] = holds ? .holds : .clear
            triggerStates[index] = TriggerState(holdingSince: try fields["holdingSince"].map { try time($0, "holdingSince", reader) },
                                                lastScale: try fields["lastScale"].map { try time($0, "lastScale", reader) })
        }
        var snapshot = DecisionSnapshot(now: now, policy: policy, controller: controller,
                                        input: PolicyInput(now: now, specReplicas: specReplicas, statusReplicas: statusReplicas, pods: pods,
                                                           observations: observations, triggerObservations: triggerObservations),
                                        history: history, metricHistory: metricHistory)
        snapshot.triggerStates = triggerStates
        return snapshot
    }

    /// Runs the decision the snapshot describes.
    public func decide() -> PolicyDecision {
        var evaluator = PolicyEvaluator(policy: policy, settings: controller, history: history, triggerStates: triggerStates)
        for sample in metricHistory.sorted(by: { $0.time < $1.time }) where sample.time < now {
            evaluator.learn(metric: sample.metric, value: sample.value, at: sample.time)
        }
        return evaluator.decide(input)
    }

    static func time(_ node: Node, _ what: String, _ reader: NodeReader) throws -> Date {
        if let seconds = node.float ?? node.int.map(Double.init), node.string.map({ Double($0) != nil }) ?? true {
            return Date(timeIntervalSince1970: seconds)
        }
        return try reader.date(node, what, timeZone: utc)
    }

    static func controller(_ node: Node, _ reader: NodeReader) throws -> ControllerSettings {
        let map = try reader.mapping(node, "controller", allowed: ["tolerance", "scaleUpTolerance", "scaleDownTolerance", "downscaleStabilizationWindowSeconds",
                                                                   "cpuInitializationPeriodSeconds", "initialReadinessDelaySeconds",
                                                                   "scaleUpLimitFactor", "scaleUpLimitMinimum"])
        var settings = ControllerSettings()
        if let n = map["tolerance"] {
            let value = try reader.number(n, "tolerance")
            guard value >= 0 else { throw reader.fail(n, "tolerance must not be negative") }
            (settings.scaleUpTolerance, settings.scaleDownTolerance) = (value, value)
        }
        if let n = map["scaleUpTolerance"] { settings.scaleUpTolerance = try reader.number(n, "scaleUpTolerance") }
        if let n = map["scaleDownTolerance"] { settings.scaleDownTolerance = try reader.number(n, "scaleDownTolerance") }
        if let n = map["downscaleStabilizationWindowSeconds"] { settings.downscaleStabilizationWindowSeconds = try reader.int(n, "downscaleStabilizationWindowSeconds", minimum: 0) }
        if let n = map["cpuInitializationPeriodSeconds"] { settings.cpuInitializationPeriodSeconds = try reader.int(n, "cpuInitializationPeriodSeconds", minimum: 0) }
        if let n = map["initialReadinessDelaySeconds"] { settings.initialReadinessDelaySeconds = try reader.int(n, "initialReadinessDelaySeconds", minimum: 0) }
        if let n = map["scaleUpLimitFactor"] { settings.scaleUpLimitFactor = try reader.number(n, "scaleUpLimitFactor") }
        if let n = map["scaleUpLimitMinimum"] { settings.scaleUpLimitMinimum = try reader.number(n, "scaleUpLimitMinimum") }
        return settings
    }

    static func pod(_ node: Node, _ reader: NodeReader) throws -> PodState {
        let map = try reader.mapping(node, "a pod", allowed: ["name", "phase", "ready", "startTime", "readyTransitionTime", "deletionTimestamp", "containers"])
        let name = try reader.string(try reader.require(map, "name", in: "a pod", at: node), "pod name")
        var requests: [String: [String: Int64]] = [:]
        for container in try map["containers"].map({ try reader.sequence($0, "containers") }) ?? [] {
            let fields = try reader.mapping(container, "a container", allowed: ["name", "requests"])
            let containerName = try reader.string(try reader.require(fields, "name", in: "a container", at: container), "container name")
            var resources: [String: Int64] = [:]
            if let requestNode = fields["requests"] {
                guard let entries = requestNode.mapping else { throw reader.fail(requestNode, "requests must be a mapping such as {cpu: 500m}") }
                for (key, value) in entries {
                    resources[try reader.string(key, "resource name")] = try reader.quantity(value, "request")
                }
            }
            requests[containerName] = resources
        }
        let phaseName = try map["phase"].map { try reader.string($0, "phase") } ?? PodPhase.running.rawValue
        guard let phase = PodPhase(rawValue: phaseName) else {
            throw reader.fail(map["phase"], "phase must be Pending, Running, Succeeded, Failed or Unknown")
        }
        let ready: Bool? = try map["ready"].flatMap { $0.scalar?.string == "null" || $0.scalar?.string == "~" ? nil : try reader.bool($0, "ready") }
        return PodState(name: name, phase: phase, ready: ready,
                        readyTransitionTime: try map["readyTransitionTime"].map { try time($0, "readyTransitionTime", reader) },
                        startTime: try map["startTime"].map { try time($0, "startTime", reader) },
                        deletionTimestamp: try map["deletionTimestamp"].map { try time($0, "deletionTimestamp", reader) },
                        requests: requests)
    }

    static func history(_ node: Node, _ reader: NodeReader) throws -> ScaleHistory {
        let map = try reader.mapping(node, "history", allowed: ["recommendations", "scaleUpEvents", "scaleDownEvents", "evaluatedBefore"])
        func events(_ key: String) throws -> [ScaleHistory.Event] {
            try (map[key].map { try reader.sequence($0, key) } ?? []).map { item in
                let fields = try reader.mapping(item, "an event", allowed: ["time", "replicaChange"])
                return ScaleHistory.Event(time: try time(try reader.require(fields, "time", in: "an event", at: item), "time", reader),
                                          replicaChange: try reader.int(try reader.require(fields, "replicaChange", in: "an event", at: item), "replicaChange", minimum: 0))
            }
        }
        let recommendations = try (map["recommendations"].map { try reader.sequence($0, "recommendations") } ?? []).map { item in
            let fields = try reader.mapping(item, "a recommendation", allowed: ["time", "replicas"])
            return ScaleHistory.Recommendation(time: try time(try reader.require(fields, "time", in: "a recommendation", at: item), "time", reader),
                                               replicas: try reader.int(try reader.require(fields, "replicas", in: "a recommendation", at: item), "replicas", minimum: 0))
        }
        return ScaleHistory(recommendations: recommendations, scaleUpEvents: try events("scaleUpEvents"), scaleDownEvents: try events("scaleDownEvents"),
                            evaluatedBefore: try map["evaluatedBefore"].map { try reader.bool($0, "evaluatedBefore") } ?? true)
    }
}
