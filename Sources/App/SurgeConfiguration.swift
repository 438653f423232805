import Actuators
import Alerting
import Collectors
import Kubernetes
import HTTPAPI
import Rules
import ScalingRuntime
import Storage

/// Everything `surge serve` can be told, with the defaults it runs on when told nothing.
public struct SurgeConfiguration: Sendable, Equatable {
    /// Address of the HTTP server. Default `0.0.0.0:9470`.
    public var listen = HostPort(host: "0.0.0.0", port: 9470)
    /// How long a connection may sit without a request before it is closed; a client that trickles
    /// a request's head counts as idle too. Default 2 minutes.
    public var idleTimeout: Duration = .seconds(120)
    /// The web configuration file (TLS, users, tokens, permissions, headers) in Prometheus'
    /// `--web.config.file` format. Default none: plain HTTP and no credentials.
    public var webConfigFile: String?
    /// Whether the admin routes (`/api/v1/admin/...`) answer. Default false, as in Prometheus.
    public var enableAdminAPI = false
    /// Whether `POST /-/reload` re-reads rule and policy files. Default false, as Prometheus'
    /// `--web.enable-lifecycle`; SIGHUP always does.
    public var enableLifecycle = false
    /// Names of this server admin requests may carry in `Host`, besides IP addresses and
    /// `localhost`; other names are refused as DNS rebinding. Default none.
    public var allowedHosts: [String] = []
    /// Connections served at once; more wait until one closes. Default 512, as Prometheus'
    /// `--web.max-connections`; fewer when the open-file limit leaves less room.
    public var maxConnections = 512
    /// Where the WAL and later the blocks live. Default `./data`.
    public var dataDirectory = "data"
    /// Whether built-in collectors and the self-scrape run. Default true; `--no-collect` turns it off.
    public var collect = true
    /// How often the built-in collectors read. Default 15 s.
    public var collectInterval: Duration = .seconds(15)
    /// The node's /proc, read by the node collector. Default `/proc`.
    public var procPath = "/proc"
    /// Whether container metrics are read from the cgroup hierarchy. Default true.
    public var collectCgroups = true
    /// The kubelet whose `/pods` names containers for the cgroup collector. Default none: names come
    /// from the kubelet's log links under /var/log.
    public var kubelet: KubeletConfig?
    /// The node's name in the collectors' labels. Default `NODE_NAME`, else the host name.
    public var nodeName = CollectorTarget.defaultNodeName()
    /// How the node collector's series are labelled and where they are served; unset fields keep
    /// node_exporter's look (job `node-exporter`, instance the node name, `/metrics/node`).
    public var nodeTarget = CollectorTargetSettings()
    /// The same for the cgroup collector (job `kubelet`, `metrics_path`, `node`, `/metrics/cadvisor`).
    public var cadvisorTarget = CollectorTargetSettings()
    /// kube-state-metrics' series from the API server's objects (`collectors.kube_state`). Default
    /// off; the HorizontalPodAutoscaler series of scaling policies come whenever policies run.
    public var kubeState: KubeStateConfig?
    /// How the kube-state series are labelled and served (job `kube-state-metrics`, `/metrics/kube-state`).
    public var kubeStateTarget = CollectorTargetSettings()
    /// Node groups Surge grows for unschedulable pods (`nodes.groups`). Default none.
    public var nodeGroups: [NodeGroup] = []
    public var nodeScaling = NodeScalingSettings()
    /// The API server the node loop reads pods and nodes from; nil uses scaling's, else in-cluster.
    public var nodeKubernetes: KubernetesSDConfig?
    /// Whether Surge's own /metrics are stored too, under the job `surge` (`collectors.self_scrape`).
    public var selfScrape = false
    /// Scrape interval and timeout of jobs that give none: `global`'s, else 15 s and 10 s.
    public var defaultScrapeInterval: Duration = .seconds(15)
    public var defaultScrapeTimeout: Duration = .seconds(10)
    /// `remote_write` receivers: what the write-ahead log receives is forwarded to each. Default none.
    public var remoteWriteTargets: [RemoteWriteTarget] = []
    /// `query_source`: a Prometheus-compatible API that rules and scaling policies read from instead
    /// of the embedded store. Default none.
    public var querySource: QuerySource?
    /// Agent mode (`surge serve --agent`, `agent: true`): collect, scrape and forward, keeping no
    /// queryable store beyond the write-ahead log.
    public var agent = false
    /// Applications to scrape, in Prometheus' `scrape_configs` shape. Default none.
    public var scrapeConfigs: [ScrapeConfig] = []
    /// Storage settings (WAL fsync policy and segment size).
    public var storage = DatabaseOptions()
    /// Largest decoded remote-write body. Default 32 MiB.
    public var remoteWriteMaxDecodedBytes = 32 << 20
    /// Samples per request and concurrent requests accepted by remote-write.
    public var remoteWriteLimits = RemoteWriteLimits()
    /// How often the head is cut into blocks, blocks are merged and retention applied. Default 1 minute.
    public var maintenanceInterval: Duration = .seconds(60)
    /// How far back an instant selector looks for a sample. Default 5 minutes.
    public var lookbackDeltaMilliseconds: Int64 = 5 * 60 * 1000
    /// Labels that name this Surge to the outside (`$externalLabels` in rule templates), as
    /// Prometheus' `global.external_labels`. Default none.
    public var externalLabels: [String: String] = [:]
    /// The URL users reach this Surge at (`$externalURL` in templates). Default empty.
    public var externalURL = ""
    /// Webhooks alerts are sent to, grouped as Alertmanager groups them. Default none.
    public var webhooks: [WebhookReceiver] = []
    /// The Alertmanagers alerts are posted to. Default none.
    public var alertmanagers: [AlertmanagerConfig] = []
    /// Prometheus rule files (paths or globs) the server evaluates. Default none.
    public var ruleFiles: [String] = []
    /// How often rule groups without an `interval` evaluate. Default 1 minute, as Prometheus'
    /// `global.evaluation_interval`.
    public var evaluationInterval: Duration = .seconds(60)
    /// How far back rule groups without a `query_offset` query, for data that arrives late. Default 0.
    public var ruleQueryOffset: Duration = .zero
    /// After a restart, how old an alert's saved state may be and still be restored (default 1 h),
    /// and the least time a restored alert waits before firing (default 10 min), as Prometheus'
    /// `--rules.alert.for-outage-tolerance` and `--rules.alert.for-grace-period`.
    public var ruleRestore = GroupEvaluation.RestoreOptions()
    /// Scaling policy files, directories or globs evaluated by the server. Default none.
    public var scalingPolicyFiles: [String] = []
    /// The API server the policies' workloads are read from. Default: the in-cluster service account.
    public var scalingKubernetes: KubernetesSDConfig?
    /// Leader election among Surge replicas: only the holder of this Lease writes scale changes.
    /// Default none (this replica always may).
    public var scalingLeaderElection: LeaderElectionConfig?

    public struct LeaderElectionConfig: Sendable, Equatable {
        public var namespace = "surge"
        public var lease = "surge-scaling"
        /// This replica's name in the Lease; default the host name and process id.
        public var identity: String

        public init(identity: String) { self.identity = identity }
    }

    /// At most this many replica changes of one target, and of all targets, per window. Default
    /// 10 and 100 per minute.
    public var scalingRateLimit = ActionRateLimit()

    /// Every policy a dry run: decisions are published and audited, never written. Default false.
    public var scalingDryRun = false
    /// A policy metric whose newest sample is older than this is missing: its decision holds the
    /// replicas (never scales down) and the policy is reported failing. At most the query lookback.
    public var scalingMetricMaxAgeMilliseconds: Int64 = 2 * 60 * 1000
    /// Whether scaling decisions, failing policies and policies pinned at maxReplicas become alerts
    /// for the configured webhooks and Alertmanagers. Default on (with nowhere to send, nothing is sent).
    public var scalingAlerts = true
    /// How long a policy must want its maxReplicas before `ScalingAtMaxReplicas` fires. Default 30 min.
    public var scalingAlertAtMaxFor: Duration = .seconds(1800)

    public init() {}
}

/// `host:port`; the host may be empty (all interfaces) or an IPv6 literal in brackets.
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A shop's own conventions for a built-in collector's target: any field left nil keeps the default;
/// `labels` are added to (or, with an empty value, remove) the default target labels.
public struct CollectorTargetSettings: Sendable, Equatable {
    public var job: String?
    public var instance: String?
    public var labels: [String: String] = [:]
    public var path: String?

    public init() {}

    public func applied(to base: CollectorTarget) -> CollectorTarget {
        var target = base
        if let job { target.job = job }
        if let instance { target.instance = instance }
        if let path { target.path = path }
        target.labels.merge(labels) { $1 }
        target.labels = target.labels.filter { !$0.value.isEmpty }
        return target
    }
}

/// Where and how often the kube-state collector lists objects.
public struct KubeStateConfig: Sendable, Equatable {
    public var interval: Duration = .seconds(30)
    /// The API server; nil uses scaling's connection, else the in-cluster account.
    public var kubernetes: KubernetesSDConfig?

    public init() {}
}

extension SurgeConfiguration {
    public var kubeStateCollectorTarget: CollectorTarget {
        kubeStateTarget.applied(to: CollectorTarget(job: "kube-state-metrics", instance: nodeName, path: "/metrics/kube-state"))
    }

    public var nodeCollectorTarget: CollectorTarget { nodeTarget.applied(to: .node(nodeName: nodeName)) }
    public var cadvisorCollectorTarget: CollectorTarget { cadvisorTarget.applied(to: .cadvisor(nodeName: nodeName)) }
}
