import Collectors
import TimeSeriesCore
import YAMLFiles
import Yams

extension ConfigurationFile {
    /// `collectors.node_name`, `collectors.node`, `collectors.cadvisor` and `collectors.kube_state`:
    /// how the built-in collectors' series are labelled and where they are served.
    static func readCollectorTargets(_ section: [String: Node], path: String, into config: inout SurgeConfiguration) throws {
        let reader = YAMLReader(path: path)
        if let n = section["node_name"] {
            let name = try reader.string(n, "node_name")
            guard !name.isEmpty else { throw reader.fail(n, "node_name must not be empty") }
            config.nodeName = name
        }
        for (key, keyPath) in [("node", \SurgeConfiguration.nodeTarget), ("cadvisor", \SurgeConfiguration.cadvisorTarget),
                               ("kube_state", \SurgeConfiguration.kubeStateTarget)] {
            guard let node = section[key] else { continue }
            let fields = try reader.mapping(node, key, allowed: Set(["job", "instance", "labels", "path"] + (key == "kube_state" ? ["interval", "kubernetes"] : [])))
            if key == "kube_state" {
                // The collector's own settings beside its target's.
                var kubeState = KubeStateConfig()
                if let n = fields["interval"] {
                    guard let value = duration(n), value >= 1000 else { throw reader.fail(n, "kube_state interval must be a duration of at least 1s") }
                    kubeState.interval = .milliseconds(value)
                }
                if let connection = fields["kubernetes"] {
                    let keys = try mapping(connection, path: path, allowed: kubernetesConnectionKeys)
                    kubeState.kubernetes = try readKubernetesConnection(keys, entry: connection, path: path)
                }
                config.kubeState = kubeState
            }
            var settings = CollectorTargetSettings()
            if let n = fields["job"] {
                settings.job = try reader.string(n, "job")
                guard settings.job?.isEmpty == false else { throw reader.fail(n, "\(key) job must not be empty") }
            }
            if let n = fields["instance"] {
                settings.instance = try reader.string(n, "instance")
                guard settings.instance?.isEmpty == false else { throw reader.fail(n, "\(key) instance must not be empty") }
            }
            if let n = fields["path"] {
                let value = try reader.string(n, "path")
                guard value.hasPrefix("/"), value != "/", !value.hasPrefix("/api/"), !["/metrics", "/federate"].contains(value) else {
                    throw reader.fail(n, "\(key) path must start with / and not be one of Surge's own paths")
                }
                settings.path = value
            }
            if let n = fields["labels"] {
                guard let map = n.mapping else { throw reader.fail(n, "\(key) labels must be a mapping of label names to values") }
                for (name, value) in map {
                    guard let label = name.string, isValidLabelName(label), !label.hasPrefix("__"), label != "job", label != "instance",
                          let text = value.string else {
                        throw reader.fail(name, "\(key) labels: \(name.string ?? "?") is not a label name Surge can set here (job and instance have keys of their own)")
                    }
                    settings.labels[label] = text
                }
            }
            config[keyPath: keyPath] = settings
        }
        let paths = [config.nodeCollectorTarget.path, config.cadvisorCollectorTarget.path, config.kubeStateCollectorTarget.path]
        if Set(paths).count < paths.count {
            throw reader.fail(section["kube_state"] ?? section["cadvisor"] ?? section["node"], "collectors node, cadvisor and kube_state must be served on different paths")
        }
    }
}
