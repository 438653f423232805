import Foundation
import YAMLFiles
import Yams

/// Reads scaling policies from YAML: a file with `policies: [...]`, or documents that are each one
/// policy, including a HorizontalPodAutoscaler manifest copied as it is.
///
/// ```yaml
/// policies:
///   - name: checkout
///     target: {apiVersion: apps/v1, kind: Deployment, namespace: shop, name: checkout}
///     minReplicas: 2
///     maxReplicas: 50
///     metrics:                      # autoscaling/v2 metric specs, plus type: PromQL
///       - type: Resource
///         resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
///       - type: PromQL
///         promql:
///           query: sum(rate(http_requests_total{job="checkout"}[1m]))
///           target: {type: AverageValue, averageValue: "100"}
///     behavior: {scaleDown: {stabilizationWindowSeconds: 600}}   # autoscaling/v2 behavior
///     schedules:
///       - {name: office-hours, start: "0 9 * * 1-5", end: "0 18 * * 1-5", timezone: Asia/Shanghai, minReplicas: 20}
///       - {name: singles-day, start: "2026-11-11 00:00", end: "2026-11-12 02:00", timezone: Asia/Shanghai, minReplicas: 80}
///     predictive: {seasons: [1d, 1w], history: 3w, podStartup: 90s}
///     triggers:                     # step scaling, see TriggerReader
///       - {name: slow, when: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="checkout"}[1m]))) > 0.3', for: 2m, scaleBy: 3}
///     dryRun: false                 # true: decide, log and audit, never change the workload
/// ```
public enum PolicyFile {
    public static func parse(_ text: String, path: String, validateQuery: (String) -> String? = { _ in nil }) throws -> [ScalingPolicy] {
        let reader = NodeReader(path: path)
        var policies: [ScalingPolicy] = []
        for document in try reader.compose(text) {
            if let list = document.mapping?["policies"] {
                _ = try reader.mapping(document, "the file", allowed: ["policies"])
                for item in try reader.sequence(list, "policies") {
                    policies.append(try policy(item, reader: reader, validateQuery: validateQuery))
                }
            } else if document.mapping != nil {
                policies.append(try policy(document, reader: reader, validateQuery: validateQuery))
            } else if !(document.scalar?.string.isEmpty ?? false) {
                throw reader.fail(document, "expected \"policies:\" or a policy mapping")
            }
        }
        var seen: [String: String] = [:]
        for policy in policies {
            let key = "\(policy.target.namespace)/\(policy.name)"
            if let first = seen[key] {
                throw PolicyFileError(path: path, line: Int(policy.source.split(separator: ":").last ?? ""),
                                      message: "policy \"\(policy.name)\" in namespace \(policy.target.namespace) is defined twice (first at \(first))")
            }
            seen[key] = policy.source
        }
        return policies
    }

    static let policyFields: Set<String> = ["name", "namespace", "target", "minReplicas", "maxReplicas", "metrics", "behavior",
                                            "schedules", "predictive", "interval", "dryRun", "spec", "apiVersion", "kind", "metadata",
                                            "triggers"]

    static func policy(_ node: Node, reader: NodeReader, validateQuery: (String) -> String?) throws -> ScalingPolicy {
        let map = try reader.mapping(node, "a policy", allowed: policyFields)
        let line = node.mark?.line ?? 0
        var body = map
        var name = try map["name"].map { try reader.string($0, "name") }
        var namespace = try map["namespace"].map { try reader.string($0, "namespace") }
        if let kind = map["kind"], kind.string != "HorizontalPodAutoscaler" {
            throw reader.fail(kind, "kind must be HorizontalPodAutoscaler when given (a policy may be an HPA manifest)")
        }
        if let apiVersion = map["apiVersion"], let text = apiVersion.string, !text.hasPrefix("autoscaling/") {
            throw reader.fail(apiVersion, "apiVersion must be autoscaling/v2 when given")
        }
        if let metadata = map["metadata"] {
            let fields = try reader.mapping(metadata, "metadata", allowed: ["name", "namespace", "labels", "annotations"])
            name = try name ?? fields["name"].map { try reader.string($0, "metadata.name") }
            namespace = try namespace ?? fields["namespace"].map { try reader.string($0, "metadata.namespace") }
        }
        if let spec = map["spec"] {
            for key in ["target", "minReplicas", "maxReplicas", "metrics", "behavior"] where map[key] != nil {
                throw reader.fail(map[key], "\(key) is given both beside and inside spec; keep one")
            }
            let fields = try reader.mapping(spec, "spec", allowed: ["scaleTargetRef", "minReplicas", "maxReplicas", "metrics", "behavior"])
            body.merge(fields) { first, _ in first }
            if let reference = fields["scaleTargetRef"] { body["target"] = reference }
        }
        guard let name else { throw reader.fail(node, "a policy needs a name (name or metadata.name)") }
        let targetNode = try reader.require(body, "target", in: "policy \"\(name)\" (target or spec.scaleTargetRef)", at: node)
        let targetFields = try reader.mapping(targetNode, "target", allowed: ["apiVersion", "kind", "namespace", "name"])
        let target = ScalingPolicy.TargetReference(
            apiVersion: try targetFields["apiVersion"].map { try reader.string($0, "target.apiVersion") } ?? "apps/v1",
            kind: try reader.string(try reader.require(targetFields, "kind", in: "target", at: targetNode), "target.kind"),
            namespace: try targetFields["namespace"].map { try reader.string($0, "target.namespace") } ?? namespace ?? "default",
            name: try reader.string(try reader.require(targetFields, "name", in: "target", at: targetNode), "target.name"))
        let metricNodes = try body["metrics"].map { try reader.sequence($0, "metrics") } ?? []
        var metrics = try metricNodes.map { try MetricSpecReader.metric($0, reader: reader, validateQuery: validateQuery) }
        if metrics.isEmpty && body["metrics"] == nil && map["spec"] != nil {
            // The HPA's default: 80% CPU utilization.
            metrics = [MetricSpecification(source: .resource("cpu"), target: .utilization(80))]
        }
        let maxNode = try reader.require(body, "maxReplicas", in: "policy \"\(name)\"", at: node)
        let maxReplicas = try reader.int(maxNode, "maxReplicas", minimum: 1)
        let minReplicas = try body["minReplicas"].map { try reader.int($0, "minReplicas", minimum: 0) } ?? 1
        if minReplicas > maxReplicas { throw reader.fail(body["minReplicas"], "minReplicas (\(minReplicas)) must not exceed maxReplicas (\(maxReplicas))") }
        if minReplicas == 0 && !metrics.contains(where: \.allowsScaleToZero) {
            throw reader.fail(body["minReplicas"], "minReplicas may be 0 only with at least one Object, External or PromQL metric")
        }
        let schedules = try body["schedules"].map { try ScheduleReader.windows($0, reader: reader, maxReplicas: maxReplicas) } ?? []
        let triggers = try body["triggers"].map {
            try TriggerReader.triggers($0, reader: reader, policy: name, maxReplicas: maxReplicas, validateQuery: validateQuery)
        } ?? []
        if metrics.isEmpty && schedules.isEmpty && triggers.isEmpty {
            throw reader.fail(node, "policy \"\(name)\" has no metrics, schedules or triggers")
        }
        let interval = try body["interval"].map { try reader.seconds($0, "interval", minimum: 1) } ?? 15
        let predictive = try body["predictive"].map { try predictiveSettings($0, reader: reader) }
        if predictive != nil && metrics.isEmpty { throw reader.fail(body["predictive"], "predictive needs at least one metric to forecast") }
        var policy = ScalingPolicy(name: name, target: target, minReplicas: minReplicas, maxReplicas: maxReplicas, metrics: metrics,
                                   behavior: try body["behavior"].map { try BehaviorReader.behavior($0, reader: reader) },
                                   schedules: schedules, predictive: predictive, intervalSeconds: interval, source: "\(reader.path):\(line)")
        policy.triggers = triggers
        if let n = body["dryRun"] { policy.dryRun = try reader.bool(n, "dryRun") }
        return policy
    }

    static func predictiveSettings(_ node: Node, reader: NodeReader) throws -> PredictiveSettings {
        let map = try reader.mapping(node, "predictive", allowed: ["method", "seasons", "season", "history", "resolution", "lookAhead", "podStartup",
                                                                     "headroom"])
        var settings = PredictiveSettings()
        if let method = map["method"] {
            guard let value = method.string.flatMap(PredictiveSettings.Method.init(rawValue:)) else {
                throw reader.fail(method, "method must be one of: \(PredictiveSettings.Method.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.method = value
        }
        if let headroom = map["headroom"], headroom.string == "auto" {
            settings.headroomQuantile = 0.9
        } else if let headroom = map["headroom"] {
            let text = headroom.string ?? ""
            let value = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
            guard let value, value >= 0, value <= 10 else { throw reader.fail(headroom, "headroom must be a percentage such as 10% (or a fraction such as 0.1), or auto") }
            settings.headroom = value
        }
        if map["season"] != nil && map["seasons"] != nil { throw reader.fail(map["season"], "give season or seasons, not both") }
        if let season = map["season"] { settings.seasons = [try reader.seconds(season, "season", minimum: 60)] }
        if let seasons = map["seasons"] {
            settings.seasons = try reader.sequence(seasons, "seasons").map { try reader.seconds($0, "a season", minimum: 60) }
            guard !settings.seasons.isEmpty, settings.seasons.count <= 2 else { throw reader.fail(seasons, "seasons lists one or two season lengths, such as [1d, 1w]") }
        }
        if let resolution = map["resolution"] { settings.resolutionSeconds = try reader.seconds(resolution, "resolution", minimum: 10) }
        for season in settings.seasons where season.truncatingRemainder(dividingBy: settings.resolutionSeconds) != 0 {
            throw reader.fail(map["seasons"] ?? map["season"] ?? map["resolution"] ?? node,
                              "each season must be a whole number of resolution steps (\(Int(settings.resolutionSeconds))s)")
        }
        if let history = map["history"] { settings.historySeconds = try reader.seconds(history, "history", minimum: 1) }
        let longest = settings.seasons.max() ?? 86_400
        if settings.historySeconds < 2 * longest {
            throw reader.fail(map["history"] ?? node, "history must cover at least two of the longest season (\(formatSeconds(2 * longest)))")
        }
        if let lookAhead = map["lookAhead"] { settings.lookAheadSeconds = try reader.seconds(lookAhead, "lookAhead") }
        if let startup = map["podStartup"] {
            settings.podStartupSeconds = try reader.seconds(startup, "podStartup")
            settings.podStartupGiven = true
        }
        return settings
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds.truncatingRemainder(dividingBy: 86_400) == 0 ? "\(Int(seconds / 86_400))d" : "\(Int(seconds))s"
    }
}

extension MetricSpecification {
    /// Object, External and PromQL metrics can scale from zero: they do not come from the pods.
    var allowsScaleToZero: Bool {
        switch source {
        case .object, .external, .promql: true
        default: false
        }
    }
}
