import Actuators
import Alerting
import Collectors
import Foundation
import HTTPAPI
import PromQL
import Rules
import Storage
import TimeSeriesCore
import YAMLFiles
import Yams

/// Reads the YAML configuration file into `SurgeConfiguration`. Unknown keys are errors, so a typo
/// does not silently fall back to a default. `${NAME}` and `${NAME:-default}` are filled in from the
/// environment first; an unset variable without a default is an error with its line.
///
/// ```yaml
/// global:                  # as in a prometheus.yml
///   scrape_interval: 15s    # scrape jobs without their own, and the collectors' interval
///   scrape_timeout: 10s
///   evaluation_interval: 1m # rule groups without their own (or rules.evaluation_interval)
///   external_labels: {cluster: prod}   # or at the top level, as before
/// remote_write:             # Prometheus' list of receivers; what the WAL receives is forwarded to each
///   - url: https://central.example.com/api/v1/write   # see ConfigurationFile+Prometheus.swift for the keys
/// agent: false              # true (or serve --agent): collect, scrape and forward; no queryable store, rules or policies
/// query_source:             # rules and scaling policies read from this Prometheus-compatible API instead of
///   url: http://victoria-metrics:8428   # the embedded store; with timeout (30s), basic_auth / authorization, tls_config
/// listen: 0.0.0.0:9470
/// web:
///   idle_timeout: 2m        # connections without a request for this long are closed
///   max_connections: 512    # served at once; more wait (fewer when the open-file limit is low)
///   config_file: web.yml    # TLS, users, tokens, permissions (Prometheus' web config format)
///   enable_admin_api: false # /api/v1/admin/... routes (flush) answer only when true
///   enable_lifecycle: false # POST /-/reload answers only when true (SIGHUP always reloads)
///   allowed_hosts: [surge.example.com]   # names admin requests may use in Host
/// data_dir: /var/lib/surge
/// collect: true
/// collectors:
///   interval: 15s           # how often node metrics are read
///   proc_path: /proc        # where the node's /proc is (a host mount inside a container)
///   cgroups: true           # container metrics from the cgroup hierarchy
///   self_scrape: false      # true: Surge's own /metrics are stored too, as job "surge"
///   node_name: worker-1     # the node's name in labels; default NODE_NAME, else the host name
///   node:                   # node metrics look like node_exporter scraped by this job
///     job: node-exporter
///     instance: worker-1    # default: the node name
///     labels: {}            # more target labels; an empty value removes a default one
///     path: /metrics/node   # where Surge serves them for other scrapers
///   cadvisor:               # container metrics look like the kubelet's cAdvisor endpoint
///     job: kubelet          # with labels {node: <node name>, metrics_path: /metrics/cadvisor}
///     path: /metrics/cadvisor
///   kube_state:             # optional: kube-state-metrics' series from the API server's objects
///     interval: 30s         # how often pods, Deployments, StatefulSets, ReplicaSets and Nodes are listed
///     kubernetes: {kubeconfig_file: /etc/surge/kubeconfig}   # default: scaling's connection, else in-cluster
///     job: kube-state-metrics   # with instance, labels and path (/metrics/kube-state) as above
///   kubelet:                # optional: pod, container and image names from the kubelet's /pods
///     url: https://127.0.0.1:10250
///     bearer_token_file: /var/run/secrets/kubernetes.io/serviceaccount/token
///     tls_config: {ca_file: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt}
///     refresh_interval: 30s
/// scrape_configs:           # Prometheus' own shape; see ScrapeConfigFile.swift for the fields read
///   - job_name: app
///     scrape_interval: 15s
///     static_configs:
///       - targets: ["127.0.0.1:8080"]
/// storage:
///   wal_fsync: never        # or always
///   wal_segment_size: 134217728
///   block_duration: 2h
///   retention_time: 15d     # 0 keeps everything
///   retention_size: 0       # bytes; 0 means no limit
///   out_of_order_window: 0s
///   future_window: 10m      # samples further ahead of the clock are refused; 0 accepts any time
///   maintenance_interval: 1m   # how often blocks are cut, merged and retention applied
///   max_series: 5000000
///   max_labels_per_series: 64
///   max_label_name_length: 1024
///   max_label_value_length: 4096
/// remote_write_receiver:     # limits of Surge's own /api/v1/write
///   max_decoded_bytes: 33554432
///   max_samples_per_request: 1000000
///   max_inflight_requests: 64
///   body_timeout: 1m        # a body that takes longer to arrive is answered 408
/// query:
///   lookback_delta: 5m
/// external_labels: {cluster: prod}   # $externalLabels in rule templates
/// external_url: https://surge.example.com   # $externalURL in rule templates
/// alerting:
///   alertmanagers:          # Prometheus' shape; alerts are posted to /api/v2/alerts
///     - static_configs: [{targets: ["127.0.0.1:9093"]}]
///       file_sd_configs: [{files: [/etc/surge/alertmanagers/*.yml]}]   # re-read every refresh_interval
///       scheme: https       # with tls_config, and basic_auth / authorization / bearer_token_file
///   webhooks:               # Alertmanager's webhook messages (version 4), grouped as Alertmanager groups
///     - name: team
///       url: http://hooks.example.com/alerts
///       group_by: [alertname]        # ['...'] groups by every label
///       group_wait: 30s
///       group_interval: 5m
///       repeat_interval: 4h
///       max_alerts: 0                # 0 sends every alert of a group
///       send_resolved: true
///       authorization: {credentials_file: /etc/surge/hook.token}   # or basic_auth, bearer_token_file
///       signing_key_file: /etc/surge/hook.key   # each post signed: X-Surge-Signature-256: sha256=HMAC-SHA256 hex
/// rule_files:               # Prometheus rule files (recording and alerting rules); globs allowed,
///   - rules/*.yml           # relative paths from this file's directory
/// rules:
///   evaluation_interval: 1m # groups without an interval
///   query_offset: 0s        # groups without a query_offset
///   for_outage_tolerance: 1h   # after a restart, alerts' pending time is restored from state this recent
///   for_grace_period: 10m      # and a restored alert waits at least this long before firing
/// scaling:
///   policy_files:           # files, directories or globs of scaling policies, relative paths from this file's directory
///     - rules/scaling/*.yaml
///   kubernetes:             # where workloads are read: kubeconfig_file, or api_server with
///     kubeconfig_file: /etc/surge/kubeconfig   # tls_config and a token; empty: in-cluster account
///   dry_run: false          # true: decide and publish, never change a workload (a policy's dryRun does it for one)
///   metric_max_age: 2m      # a metric with no newer sample is missing: the replicas are held, never lowered
///   rate_limit: {per_target: 10, overall: 100, window: 1m}   # replica changes allowed per window
///   leader_election:        # several replicas: only the holder of this Lease changes workloads
///     namespace: surge      # lease: surge-scaling, identity: host name and pid by default
///   alerts:                 # scaling alerts to alerting's webhooks and Alertmanagers
///     send: true            # ScalingReplicasChange, ScalingPolicyFailing, ScalingAtMaxReplicas
///     at_max_for: 30m       # how long at maxReplicas before ScalingAtMaxReplicas fires
/// nodes:                    # node groups grown for unschedulable pods; see ConfigurationFile+Nodes.swift
///   groups: [{name: workers, cluster_api: {namespace: capi, name: workers}, template: {cpu: "4", memory: 16Gi}}]
/// ```
public enum ConfigurationFile {
    /// The configuration's errors name the file and line, as every YAML file's do.
    public typealias Error = FileError

    public static func load(path: String, into base: SurgeConfiguration = .init()) throws -> SurgeConfiguration {
        try parse(try YAMLReader.text(of: path, what: "the file"), path: path, into: base)
    }

    /// `checkCredentials` false skips reading Kubernetes credentials (kubeconfig files, the in-cluster
    /// service account), to check a file meant for another machine.
    /// `${NAME}` is filled in from `environment` first (see `EnvironmentExpansion`).
    public static func parse(_ text: String, path: String, into base: SurgeConfiguration = .init(),
                             checkCredentials: Bool = true, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SurgeConfiguration {
        let text = try EnvironmentExpansion.expand(text, path: path, environment: environment)
        guard let root = try YAMLReader(path: path).compose(text).first else { return base }
        var config = base
        let top = try mapping(root, path: path, allowed: ["listen", "data_dir", "collect", "collectors", "scrape_configs", "storage", "remote_write", "remote_write_receiver", "query", "global", "nodes",
                                                          "scaling", "web", "rule_files", "rules", "external_labels", "external_url", "alerting",
                                                          "query_source", "agent"])
        func fail(_ node: Node, _ message: String) -> Error {
            Error(path: path, line: node.mark.map { $0.line }, message: message)
        }
        // First: its scrape and evaluation intervals are the defaults of what follows.
        if let node = top["global"] { try readGlobal(node, path: path, top: top, into: &config) }
        if let node = top["listen"] {
            guard let value = node.string, let listen = HostPort(value) else { throw fail(node, "listen must be host:port") }
            config.listen = listen
        }
        if let node = top["web"] {
            let section = try mapping(node, path: path, allowed: ["idle_timeout", "config_file", "enable_admin_api", "enable_lifecycle", "allowed_hosts", "max_connections"])
            if let n = section["enable_lifecycle"] {
                guard let value = n.bool else { throw fail(n, "enable_lifecycle must be true or false") }
                config.enableLifecycle = value
            }
            config.maxConnections = try positiveInt(section["max_connections"], path: path) ?? config.maxConnections
            if let n = section["config_file"] {
                guard let value = n.string, !value.isEmpty else { throw fail(n, "config_file must be a path") }
                config.webConfigFile = value.hasPrefix("/") ? value : URL(fileURLWithPath: path).deletingLastPathComponent().path + "/" + value
            }
            if let n = section["enable_admin_api"] {
                guard let value = n.bool else { throw fail(n, "enable_admin_api must be true or false") }
                config.enableAdminAPI = value
            }
            if let n = section["allowed_hosts"] {
                let hosts = n.sequence?.compactMap(\.string) ?? []
                guard hosts.count == n.sequence?.count, !hosts.contains(where: { $0.isEmpty || $0.contains(":") && !$0.hasPrefix("[") }) else {
                    throw fail(n, "allowed_hosts must be a list of host names")
                }
                config.allowedHosts = hosts
            }
            if let n = section["idle_timeout"] {
                guard let value = duration(n) else { throw fail(n, "idle_timeout must be a duration such as 2m") }
                config.idleTimeout = .milliseconds(value)
            }
        }
        if let node = top["data_dir"] {
            guard let value = node.string, !value.isEmpty else { throw fail(node, "data_dir must be a path") }
            config.dataDirectory = value
        }
        if let node = top["collect"] {
            guard let value = node.bool else { throw fail(node, "collect must be true or false") }
            config.collect = value
        }
        if let node = top["collectors"] {
            let section = try mapping(node, path: path, allowed: ["interval", "proc_path", "cgroups", "kubelet", "node_name", "node", "cadvisor", "kube_state", "self_scrape"])
            try readCollectorTargets(section, path: path, into: &config)
            if let n = section["kubelet"] { config.kubelet = try readKubeletConfig(n, path: path) }
            if let n = section["self_scrape"] {
                guard let value = n.bool else { throw fail(n, "self_scrape must be true or false") }
                config.selfScrape = value
            }
            if let n = section["cgroups"] {
                guard let value = n.bool else { throw fail(n, "cgroups must be true or false") }
                config.collectCgroups = value
            }
            if let n = section["interval"] {
                guard let value = duration(n), value >= 1000 else { throw fail(n, "interval must be a duration of at least 1s, such as 15s") }
                config.collectInterval = .milliseconds(value)
            }
            if let n = section["proc_path"] {
                guard let value = n.string, !value.isEmpty else { throw fail(n, "proc_path must be a path") }
                config.procPath = value
            }
        }
        if let node = top["scrape_configs"] {
            config.scrapeConfigs = try readScrapeConfigs(node, path: path, checkCredentials: checkCredentials,
                                                         defaults: (config.defaultScrapeInterval, config.defaultScrapeTimeout))
        }
        if let node = top["storage"] {
            try readStorage(node, path: path, into: &config.storage)
            if let n = node.mapping?["maintenance_interval"] {
                guard let value = duration(n) else { throw fail(n, "maintenance_interval must be a duration such as 1m") }
                config.maintenanceInterval = .milliseconds(value)
            }
        }
        if let node = top["remote_write"] { config.remoteWriteTargets = try readRemoteWriteTargets(node, path: path) }
        if let node = top["query_source"] { config.querySource = try readQuerySource(node, path: path) }
        if let node = top["agent"] { config.agent = try YAMLReader(path: path).bool(node, "agent") }
        if let node = top["remote_write_receiver"] {
            let section = try mapping(node, path: path, allowed: ["max_decoded_bytes", "max_samples_per_request", "max_inflight_requests", "body_timeout"])
            if let n = section["body_timeout"] {
                guard let value = duration(n) else { throw fail(n, "body_timeout must be a duration such as 1m") }
                config.remoteWriteLimits.bodyTimeout = .milliseconds(value)
            }
            config.remoteWriteMaxDecodedBytes = try positiveInt(section["max_decoded_bytes"], path: path) ?? config.remoteWriteMaxDecodedBytes
            config.remoteWriteLimits.maxSamplesPerRequest = try positiveInt(section["max_samples_per_request"], path: path)
                ?? config.remoteWriteLimits.maxSamplesPerRequest
            config.remoteWriteLimits.maxInflightRequests = try positiveInt(section["max_inflight_requests"], path: path)
                ?? config.remoteWriteLimits.maxInflightRequests
        }
        if let node = top["query"] {
            let section = try mapping(node, path: path, allowed: ["lookback_delta"])
            if let n = section["lookback_delta"] {
                guard let value = n.string.flatMap(parseDuration), value > 0 else { throw fail(n, "lookback_delta must be a duration such as 5m") }
                config.lookbackDeltaMilliseconds = value
            }
        }
        if let node = top["external_labels"] { config.externalLabels = try readExternalLabels(node, path: path) }
        if let node = top["external_url"] {
            guard let value = node.string, value.isEmpty || value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw fail(node, "external_url must be an http:// or https:// URL")
            }
            config.externalURL = value
        }
        if let node = top["alerting"] {
            config.webhooks = try readWebhooks(node, path: path)
            config.alertmanagers = try readAlertmanagers(node, path: path)
        }
        if let node = top["rule_files"], !YAMLReader.isNull(node) {
            let files = node.sequence?.compactMap(\.string) ?? []
            guard files.count == node.sequence?.count, !files.contains("") else { throw fail(node, "rule_files must be a list of paths or globs") }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            config.ruleFiles = files.map { $0.hasPrefix("/") ? $0 : directory + "/" + $0 }
        }
        if let node = top["rules"] {
            let section = try mapping(node, path: path, allowed: ["evaluation_interval", "query_offset", "for_outage_tolerance", "for_grace_period"])
            if let n = section["for_outage_tolerance"] {
                guard let value = duration(n) else { throw fail(n, "for_outage_tolerance must be a duration such as 1h") }
                config.ruleRestore.outageTolerance = value
            }
            if let n = section["for_grace_period"] {
                guard let value = duration(n) else { throw fail(n, "for_grace_period must be a duration such as 10m") }
                config.ruleRestore.gracePeriod = value
            }
            if let n = section["evaluation_interval"] {
                guard let value = duration(n) else { throw fail(n, "evaluation_interval must be a duration such as 1m") }
                config.evaluationInterval = .milliseconds(value)
            }
            if let n = section["query_offset"] {
                guard let value = n.int == 0 ? 0 : n.string.flatMap(parseDuration), value >= 0 else { throw fail(n, "query_offset must be a duration such as 1m, or 0") }
                config.ruleQueryOffset = .milliseconds(value)
            }
        }
        if let node = top["scaling"] { try readScaling(node, path: path, checkCredentials: checkCredentials, into: &config) }
        if let node = top["nodes"] { try readNodes(node, path: path, into: &config) }
        return config
    }

    /// `alerting.webhooks`: `name`, `url`, `group_by`, `group_wait`, `group_interval`,
    /// `repeat_interval`, `max_alerts`, `send_resolved`, with Alertmanager's defaults.
    private static func readWebhooks(_ node: Node, path: String) throws -> [WebhookReceiver] {
        let reader = YAMLReader(path: path)
        let section = try reader.mapping(node, "alerting", allowed: ["webhooks", "alertmanagers"])
        guard let list = section["webhooks"] else { return [] }
        var receivers: [WebhookReceiver] = []
        for item in try reader.sequence(list, "webhooks") {
            let fields = try reader.mapping(item, "a webhook", allowed: [
                "name", "url", "group_by", "group_wait", "group_interval", "repeat_interval", "max_alerts", "send_resolved",
                "basic_auth", "authorization", "bearer_token", "bearer_token_file", "signing_key", "signing_key_file", "signature_header",
            ])
            let name = try reader.string(try reader.require(fields, "name", in: "a webhook", at: item), "name")
            let urlNode = try reader.require(fields, "url", in: "webhook \(name)", at: item)
            let url = try reader.string(urlNode, "url")
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw reader.fail(urlNode, "url must be an http:// or https:// URL") }
            guard !receivers.contains(where: { $0.name == name }) else { throw reader.fail(item, "webhook \(name) is defined twice") }
            var grouping = GroupingOptions()
            if let n = fields["group_by"] {
                let names = try reader.sequence(n, "group_by").map { try reader.string($0, "a group_by label") }
                grouping.groupBy = names == ["..."] ? nil : names
            }
            for (key, keyPath) in [("group_wait", \GroupingOptions.groupWait), ("group_interval", \GroupingOptions.groupInterval),
                                   ("repeat_interval", \GroupingOptions.repeatInterval)] {
                guard let n = fields[key] else { continue }
                guard let value = duration(n) else { throw reader.fail(n, "\(key) must be a duration such as 30s") }
                grouping[keyPath: keyPath] = value
            }
            if let n = fields["send_resolved"] { grouping.sendResolved = try reader.bool(n, "send_resolved") }
            var receiver = WebhookReceiver(name: name, url: url, grouping: grouping)
            if let n = fields["max_alerts"] { receiver.maxAlerts = try reader.int(n, "max_alerts", minimum: 0) }
            // Credentials as Alertmanager's webhook_configs take them; files are read now.
            if let authorization = try readAuthorization(fields, path: path) {
                switch authorization.headerValue(readFile: { try? String(contentsOfFile: $0, encoding: .utf8) }) {
                case .success(let value): receiver.authorization = value
                case .failure(let error): throw reader.fail(item, "webhook \(name): \(error.message)")
                }
            }
            // An HMAC-SHA256 key signs every post; the file's trailing newline is not part of the key.
            if fields["signing_key"] != nil && fields["signing_key_file"] != nil {
                throw reader.fail(item, "webhook \(name): at most one of signing_key and signing_key_file must be configured")
            }
            if let n = fields["signing_key"] { receiver.signingKey = Array(try reader.string(n, "signing_key").utf8) }
            if let n = fields["signing_key_file"] {
                let file = try reader.string(n, "signing_key_file")
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                    throw reader.fail(n, "webhook \(name): cannot read signing_key_file \(file)")
                }
                let key = text.hasSuffix("\n") ? String(text.dropLast()) : text
                guard !key.isEmpty else { throw reader.fail(n, "webhook \(name): signing_key_file \(file) is empty") }
                receiver.signingKey = Array(key.utf8)
            }
            if let n = fields["signature_header"] {
                guard receiver.signingKey != nil else { throw reader.fail(n, "webhook \(name): signature_header needs signing_key or signing_key_file") }
                receiver.signatureHeader = try reader.string(n, "signature_header")
            }
            receivers.append(receiver)
        }
        return receivers
    }

    /// `alerting.alertmanagers` in Prometheus' shape: `static_configs` and `file_sd_configs`
    /// targets, `scheme`, `path_prefix`, `api_version` (v2 only), `timeout`, credentials
    /// (`basic_auth`, `authorization`, `bearer_token`, `bearer_token_file`) and `tls_config`.
    private static func readAlertmanagers(_ node: Node, path: String) throws -> [AlertmanagerConfig] {
        let reader = YAMLReader(path: path)
        guard let list = node.mapping?["alertmanagers"] else { return [] }
        var configs: [AlertmanagerConfig] = []
        for item in try reader.sequence(list, "alertmanagers") {
            let fields = try reader.mapping(item, "an alertmanager", allowed: [
                "static_configs", "file_sd_configs", "scheme", "path_prefix", "api_version", "timeout",
                "basic_auth", "authorization", "bearer_token", "bearer_token_file", "tls_config",
            ])
            var config = AlertmanagerConfig()
            config.scheme = try fields["scheme"].map { try reader.string($0, "scheme") } ?? "http"
            guard config.scheme == "http" || config.scheme == "https" else { throw reader.fail(fields["scheme"], "scheme must be http or https") }
            if let n = fields["api_version"], n.string != "v2" { throw reader.fail(n, "api_version must be v2") }
            var prefix = try fields["path_prefix"].map { try reader.string($0, "path_prefix") } ?? ""
            while prefix.hasSuffix("/") { prefix.removeLast() }
            if !prefix.isEmpty && !prefix.hasPrefix("/") { prefix = "/" + prefix }
            config.pathPrefix = prefix
            if let n = fields["timeout"] {
                guard let value = duration(n), value > 0 else { throw reader.fail(n, "timeout must be a duration such as 10s") }
                config.timeout = .milliseconds(value)
            }
            for staticConfig in try fields["static_configs"].map({ try reader.sequence($0, "static_configs") }) ?? [] {
                let group = try reader.mapping(staticConfig, "a static config", allowed: ["targets", "labels"])
                for target in try group["targets"].map({ try reader.sequence($0, "targets") }) ?? [] {
                    let address = try reader.string(target, "a target")
                    guard HostPort(address) != nil else { throw reader.fail(target, "a target must be host:port") }
                    config.staticTargets.append(address)
                }
            }
            if let n = fields["file_sd_configs"] { config.fileSD = try readFileSDConfigs(n, path: path) }
            // Credentials as Prometheus' alertmanager_config takes them; files are read now.
            if let authorization = try readAuthorization(fields, path: path) {
                switch authorization.headerValue(readFile: { try? String(contentsOfFile: $0, encoding: .utf8) }) {
                case .success(let value): config.authorization = value
                case .failure(let error): throw reader.fail(item, "alertmanager: \(error.message)")
                }
            }
            if let n = fields["tls_config"] { config.tls = try readTLSSettings(n, path: path) }
            configs.append(config)
        }
        return configs
    }

    private static func readStorage(_ node: Node, path: String, into storage: inout DatabaseOptions) throws {
        let section = try mapping(node, path: path, allowed: [
            "wal_fsync", "wal_segment_size", "block_duration", "retention_time", "retention_size", "out_of_order_window", "future_window",
            "max_series", "max_labels_per_series", "max_label_name_length", "max_label_value_length", "maintenance_interval", "tsdb",
        ])
        func fail(_ node: Node, _ message: String) -> Error {
            Error(path: path, line: node.mark.map { $0.line }, message: message)
        }
        if let n = section["wal_fsync"] {
            guard let value = n.string.flatMap(WALSyncPolicy.init(rawValue:)) else {
                throw fail(n, "wal_fsync must be one of \(WALSyncPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            storage.walSync = value
        }
        if let n = section["wal_segment_size"] {
            guard let value = n.int, value >= 1 << 16 else { throw fail(n, "wal_segment_size must be an integer of at least 65536") }
            storage.walSegmentSize = value
        }
        if let n = section["block_duration"] {
            guard let value = duration(n), value >= 60_000 else { throw fail(n, "block_duration must be a duration of at least 1m, such as 2h") }
            storage.blockRange = value
        }
        if let n = section["retention_time"] {
            guard let value = n.int == 0 ? 0 : duration(n) else { throw fail(n, "retention_time must be a duration such as 15d, or 0") }
            storage.retentionTime = value == 0 ? nil : value
        }
        if let n = section["retention_size"] {
            guard let value = n.int, value >= 0 else { throw fail(n, "retention_size must be a number of bytes, or 0") }
            storage.retentionBytes = value == 0 ? nil : value
        }
        /// A window in milliseconds: a duration, or 0.
        func window(_ n: Node, _ key: String) throws -> Int64 {
            guard let value = n.int == 0 ? 0 : n.string.flatMap(parseDuration), value >= 0 else {
                throw fail(n, "\(key) must be a duration such as 10m, or 0")
            }
            return value
        }
        if let n = section["out_of_order_window"] { storage.outOfOrderWindow = try window(n, "out_of_order_window") }
        // Prometheus' own spelling of it, so its storage section pastes.
        if let n = section["tsdb"] {
            let tsdb = try mapping(n, path: path, allowed: ["out_of_order_time_window"])
            if let w = tsdb["out_of_order_time_window"] {
                guard section["out_of_order_window"] == nil else { throw fail(w, "out_of_order_window is set twice; keep one") }
                storage.outOfOrderWindow = try window(w, "out_of_order_time_window")
            }
        }
        if let n = section["future_window"] {
            let value = try window(n, "future_window")
            storage.futureWindow = value == 0 ? nil : value
        }
        storage.limits.maxSeries = try positiveInt(section["max_series"], path: path) ?? storage.limits.maxSeries
        storage.limits.maxLabelsPerSeries = try positiveInt(section["max_labels_per_series"], path: path) ?? storage.limits.maxLabelsPerSeries
        storage.limits.maxLabelNameLength = try positiveInt(section["max_label_name_length"], path: path) ?? storage.limits.maxLabelNameLength
        storage.limits.maxLabelValueLength = try positiveInt(section["max_label_value_length"], path: path) ?? storage.limits.maxLabelValueLength
    }

    static func duration(_ node: Node) -> Int64? {
        node.string.flatMap(parseDuration).flatMap { $0 > 0 ? $0 : nil }
    }

    private static func positiveInt(_ node: Node?, path: String) throws -> Int? {
        guard let node else { return nil }
        guard let value = node.int, value > 0 else {
            throw Error(path: path, line: node.mark.map { $0.line }, message: "expected a positive integer")
        }
        return value
    }

    static func mapping(_ node: Node, path: String, allowed: Set<String>) throws -> [String: Node] {
        guard let map = node.mapping else {
            throw Error(path: path, line: node.mark.map { $0.line }, message: "expected a mapping")
        }
        var out: [String: Node] = [:]
        for (key, value) in map {
            guard let name = key.string, allowed.contains(name) else {
                throw Error(path: path, line: key.mark.map { $0.line },
                            message: "unknown key \(key.string.map { "\"\($0)\"" } ?? "?"); known keys: \(allowed.sorted().joined(separator: ", "))")
            }
            out[name] = value
        }
        return out
    }

}
