import Actuators
import Foundation
import Scaling
import ScalingRuntime
import TimeSeriesCore
import YAMLFiles
import Yams

extension ConfigurationFile {
    /// The `nodes` section: node groups with their provider, bounds, template and boot time, and
    /// the loop's settings.
    ///
    /// ```yaml
    /// nodes:
    ///   dry_run: false
    ///   scan_interval: 10s
    ///   pending_threshold: 10s      # unschedulable at least this long before nodes are asked for
    ///   kubernetes: {kubeconfig_file: /etc/surge/kubeconfig}   # default: scaling's, else in-cluster
    ///   scale_down: {utilization_threshold: 0.5, unneeded_time: 10m, delay_after_add: 10m}   # Cluster Autoscaler's defaults
    ///   groups:
    ///     - name: workers
    ///       cluster_api: {kind: MachineDeployment, namespace: capi, name: workers}   # or magnum, or webhook
    ///       min_size: 1               # default: the provider's (Cluster API's annotations, Magnum's node group)
    ///       max_size: 20
    ///       boot_time: 3m
    ///       template: {cpu: "4", memory: 16Gi, pods: 110, labels: {pool: workers}, taints: [{key: dedicated, value: web, effect: NoSchedule}]}
    ///       policies: [web]           # nodes for the pods these policies' floors want within boot_time, started now
    ///       # template_node: worker-1   # instead of template: a node of the group that stands for it
    /// ```
    static func readNodes(_ node: Node, path: String, into config: inout SurgeConfiguration) throws {
        let reader = YAMLReader(path: path)
        let section = try reader.mapping(node, "nodes", allowed: ["dry_run", "scan_interval", "pending_threshold", "kubernetes", "groups", "scale_down"])
        if let n = section["scale_down"] {
            let fields = try reader.mapping(n, "scale_down", allowed: ["utilization_threshold", "unneeded_time", "delay_after_add"])
            if let t = fields["utilization_threshold"] {
                guard let value = t.float, value > 0, value <= 1 else { throw reader.fail(t, "utilization_threshold must be a fraction such as 0.5") }
                config.nodeScaling.scaleDown.utilizationThreshold = value
            }
            for (key, keyPath) in [("unneeded_time", \ScaleDownSettings.unneededSeconds), ("delay_after_add", \ScaleDownSettings.delayAfterAddSeconds)] {
                guard let t = fields[key] else { continue }
                guard let value = t.int == 0 ? 0 : t.string.flatMap(parseDuration), value >= 0 else { throw reader.fail(t, "\(key) must be a duration such as 10m") }
                config.nodeScaling.scaleDown[keyPath: keyPath] = Double(value) / 1000
            }
        }
        if let n = section["dry_run"] { config.nodeScaling.dryRun = try reader.bool(n, "dry_run") }
        if let n = section["scan_interval"] {
            guard let value = duration(n), value >= 1000 else { throw reader.fail(n, "scan_interval must be a duration of at least 1s") }
            config.nodeScaling.scanInterval = .milliseconds(value)
        }
        if let n = section["pending_threshold"] {
            guard let value = n.int == 0 ? 0 : n.string.flatMap(parseDuration), value >= 0 else { throw reader.fail(n, "pending_threshold must be a duration such as 10s, or 0") }
            config.nodeScaling.pendingThresholdSeconds = Double(value) / 1000
        }
        if let connection = section["kubernetes"] {
            let keys = try mapping(connection, path: path, allowed: kubernetesConnectionKeys)
            config.nodeKubernetes = try readKubernetesConnection(keys, entry: connection, path: path)
        }
        for item in try section["groups"].map({ try reader.sequence($0, "groups") }) ?? [] {
            let fields = try reader.mapping(item, "a node group", allowed: ["name", "cluster_api", "magnum", "webhook", "min_size", "max_size", "boot_time", "template", "template_node", "policies"])
            let name = try reader.string(try reader.require(fields, "name", in: "a node group", at: item), "name")
            guard !config.nodeGroups.contains(where: { $0.name == name }) else { throw reader.fail(item, "node group \(name) is defined twice") }
            let providers = ["cluster_api", "magnum", "webhook"].filter { fields[$0] != nil }
            guard providers.count == 1 else { throw reader.fail(item, "node group \(name) needs exactly one of cluster_api, magnum and webhook") }
            let provider: NodeGroup.Provider
            switch providers[0] {
            case "cluster_api": provider = .clusterAPI(try readClusterAPI(fields["cluster_api"]!, reader: reader))
            case "magnum": provider = .magnum(try readMagnum(fields["magnum"]!, reader: reader))
            default: provider = .webhook(try readNodeWebhook(fields["webhook"]!, reader: reader))
            }
            guard (fields["template"] == nil) != (fields["template_node"] == nil) else {
                throw reader.fail(item, "node group \(name) needs exactly one of template and template_node")
            }
            var group = NodeGroup(name: name, provider: provider,
                                  template: try fields["template"].map { try readTemplate($0, reader: reader) } ?? NodeTemplate(allocatable: .zero))
            if let n = fields["template_node"] { group.templateNode = try reader.string(n, "template_node") }
            if let n = fields["min_size"] { group.minSize = try reader.int(n, "min_size", minimum: 0) }
            if let n = fields["max_size"] { group.maxSize = try reader.int(n, "max_size", minimum: max(group.minSize ?? 0, 1)) }
            if let n = fields["boot_time"] {
                guard let value = duration(n) else { throw reader.fail(n, "boot_time must be a duration such as 3m") }
                group.bootSeconds = Double(value) / 1000
            }
            if let n = fields["policies"] { group.policies = try reader.sequence(n, "policies").map { try reader.string($0, "a policy name") } }
            config.nodeGroups.append(group)
        }
    }

    static func readTemplate(_ node: Node, reader: YAMLReader) throws -> NodeTemplate {
        let fields = try reader.mapping(node, "template", allowed: ["cpu", "memory", "pods", "labels", "taints"])
        func quantity(_ key: String) throws -> Int64 {
            let n = try reader.require(fields, key, in: "template", at: node)
            guard let text = n.string, let milli = Quantity.milliValue(text), milli > 0 else { throw reader.fail(n, "template \(key) must be a quantity such as 4 or 16Gi") }
            return milli
        }
        var template = NodeTemplate(allocatable: ResourceAmounts(cpuMilli: try quantity("cpu"), memoryBytes: try quantity("memory") / 1000,
                                                                 pods: try fields["pods"].map { try reader.int($0, "pods", minimum: 1) } ?? 110))
        for (key, value) in fields["labels"]?.mapping ?? [:] {
            guard let name = key.string, let text = value.string else { throw reader.fail(key, "template labels must map names to strings") }
            template.labels[name] = text
        }
        for taint in try fields["taints"].map({ try reader.sequence($0, "taints") }) ?? [] {
            let entry = try reader.mapping(taint, "a taint", allowed: ["key", "value", "effect"])
            let effectNode = try reader.require(entry, "effect", in: "a taint", at: taint)
            guard let effect = effectNode.string.flatMap(Taint.Effect.init(rawValue:)) else {
                throw reader.fail(effectNode, "a taint's effect must be NoSchedule, PreferNoSchedule or NoExecute")
            }
            template.taints.append(Taint(key: try reader.string(try reader.require(entry, "key", in: "a taint", at: taint), "key"),
                                         value: entry["value"]?.string ?? "", effect: effect))
        }
        return template
    }

    static func readClusterAPI(_ node: Node, reader: YAMLReader) throws -> ClusterAPIGroup {
        let fields = try reader.mapping(node, "cluster_api", allowed: ["api_version", "kind", "namespace", "name"])
        let kind = try fields["kind"].map { try reader.string($0, "kind") } ?? "MachineDeployment"
        guard ClusterAPIGroup.kinds[kind] != nil else { throw reader.fail(fields["kind"], "kind must be MachineDeployment, MachineSet or MachinePool") }
        return ClusterAPIGroup(apiVersion: try fields["api_version"].map { try reader.string($0, "api_version") } ?? "cluster.x-k8s.io/v1beta1", kind: kind,
                               namespace: try reader.string(try reader.require(fields, "namespace", in: "cluster_api", at: node), "namespace"),
                               name: try reader.string(try reader.require(fields, "name", in: "cluster_api", at: node), "name"))
    }

    /// A secret from a file, without its trailing newline.
    static func secret(_ fields: [String: Node], _ key: String, in what: String, at node: Node, reader: YAMLReader) throws -> String {
        let n = try reader.require(fields, key, in: what, at: node)
        let file = try reader.string(n, key)
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw reader.fail(n, "cannot read \(key) \(file)") }
        return text.trimmingCharacters(in: .newlines)
    }

    static func readMagnum(_ node: Node, reader: YAMLReader) throws -> MagnumGroup {
        let fields = try reader.mapping(node, "magnum", allowed: [
            "auth_url", "region", "cluster_id", "nodegroup", "user", "user_domain", "password_file", "project", "project_domain",
            "application_credential_id", "application_credential_secret_file",
        ])
        func string(_ key: String) throws -> String { try reader.string(try reader.require(fields, key, in: "magnum", at: node), key) }
        let credentials: MagnumGroup.Credentials
        if fields["application_credential_id"] != nil {
            credentials = .applicationCredential(id: try string("application_credential_id"),
                                                 secret: try secret(fields, "application_credential_secret_file", in: "magnum", at: node, reader: reader))
        } else {
            credentials = .password(user: try string("user"), userDomain: fields["user_domain"]?.string ?? "Default",
                                    password: try secret(fields, "password_file", in: "magnum", at: node, reader: reader),
                                    project: try string("project"), projectDomain: fields["project_domain"]?.string ?? "Default")
        }
        let url = try string("auth_url")
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw reader.fail(fields["auth_url"], "auth_url must be an http:// or https:// URL") }
        return MagnumGroup(authURL: url, credentials: credentials, region: fields["region"]?.string, clusterID: try string("cluster_id"),
                           nodeGroup: fields["nodegroup"]?.string ?? "default-worker")
    }

    static func readNodeWebhook(_ node: Node, reader: YAMLReader) throws -> WebhookGroup {
        let fields = try reader.mapping(node, "webhook", allowed: ["url", "signing_key_file", "size"])
        let url = try reader.string(try reader.require(fields, "url", in: "webhook", at: node), "url")
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw reader.fail(fields["url"], "url must be an http:// or https:// URL") }
        var group = WebhookGroup(url: url)
        if fields["signing_key_file"] != nil {
            group.signingKey = Array(try secret(fields, "signing_key_file", in: "webhook", at: node, reader: reader).utf8)
        }
        if let n = fields["size"] { group.size = try reader.int(n, "size", minimum: 0) }
        return group
    }
}
