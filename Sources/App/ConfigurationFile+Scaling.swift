import Actuators
import Foundation
import TimeSeriesCore
import YAMLFiles
import Yams

extension ConfigurationFile {
    /// The `scaling` section: policy files, the Kubernetes connection, dry run, rate limits, leader
    /// election, the metrics' staleness bound and scaling alerts.
    static func readScaling(_ node: Node, path: String, checkCredentials: Bool, into config: inout SurgeConfiguration) throws {
        func fail(_ node: Node, _ message: String) -> Error {
            Error(path: path, line: node.mark.map { $0.line }, message: message)
        }
        let section = try mapping(node, path: path, allowed: ["policy_files", "kubernetes", "alerts", "dry_run", "leader_election", "rate_limit",
                                                               "metric_max_age"])
        if let n = section["metric_max_age"] {
            guard let text = n.string, let value = parseDuration(text), value > 0 else {
                throw fail(n, "metric_max_age must be a positive duration such as 2m")
            }
            config.scalingMetricMaxAgeMilliseconds = value
        }
        if let n = section["rate_limit"] {
            let fields = try mapping(n, path: path, allowed: ["per_target", "overall", "window"])
            var limit = config.scalingRateLimit
            func count(_ key: String, _ fallback: Int) throws -> Int {
                guard let node = fields[key] else { return fallback }
                guard let value = node.int, value > 0 else { throw fail(node, "rate_limit \(key) must be a positive integer") }
                return value
            }
            var window = limit.window
            if let w = fields["window"] {
                guard let text = w.string, let value = parseDuration(text), value > 0 else { throw fail(w, "rate_limit window must be a duration such as 1m") }
                window = value
            }
            limit = ActionRateLimit(perTarget: try count("per_target", limit.perTarget), overall: try count("overall", limit.overall), window: window)
            config.scalingRateLimit = limit
        }
        if let n = section["leader_election"] {
            let fields = try mapping(n, path: path, allowed: ["namespace", "lease", "identity"])
            var election = SurgeConfiguration.LeaderElectionConfig(
                identity: "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)")
            for (key, keyPath) in [("namespace", \SurgeConfiguration.LeaderElectionConfig.namespace),
                                   ("lease", \SurgeConfiguration.LeaderElectionConfig.lease),
                                   ("identity", \SurgeConfiguration.LeaderElectionConfig.identity)] {
                guard let value = fields[key] else { continue }
                guard let text = value.string, !text.isEmpty else { throw fail(value, "leader_election \(key) must be a non-empty string") }
                election[keyPath: keyPath] = text
            }
            config.scalingLeaderElection = election
        }
        if let n = section["dry_run"] {
            guard let value = n.bool else { throw fail(n, "dry_run must be true or false") }
            config.scalingDryRun = value
        }
        if let n = section["alerts"] {
            let alerts = try mapping(n, path: path, allowed: ["send", "at_max_for"])
            if let send = alerts["send"] {
                guard let value = send.bool else { throw fail(send, "send must be true or false") }
                config.scalingAlerts = value
            }
            if let at = alerts["at_max_for"] {
                guard let text = at.string, let value = parseDuration(text), value > 0 else {
                    throw fail(at, "at_max_for must be a positive duration such as 30m")
                }
                config.scalingAlertAtMaxFor = .milliseconds(value)
            }
        }
        if let n = section["policy_files"] {
            let files = n.sequence?.compactMap(\.string) ?? []
            guard files.count == n.sequence?.count, !files.contains("") else {
                throw fail(n, "policy_files must be a list of paths or globs")
            }
            // Relative to the configuration file, as rule_files are.
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            config.scalingPolicyFiles = files.map { $0.hasPrefix("/") ? $0 : directory + "/" + $0 }
        }
        let connection = section["kubernetes"] ?? node
        let fields = section["kubernetes"] == nil ? [:] : try mapping(connection, path: path, allowed: kubernetesConnectionKeys)
        config.scalingKubernetes = try readKubernetesConnection(fields, entry: connection, path: path)
        if checkCredentials && !config.scalingPolicyFiles.isEmpty {
            try checkKubernetesCredentials(config.scalingKubernetes!, entry: connection, path: path)
        }
    }
}
