import TimeSeriesCore
import YAMLFiles
import Yams

/// One `remote_write` entry of a pasted prometheus.yml: where Prometheus would send its samples.
public struct RemoteWriteTarget: Sendable, Equatable {
    public var url: String
    public var name: String?

    public init(url: String, name: String? = nil) {
        self.url = url
        self.name = name
    }
}

extension ConfigurationFile {
    /// Prometheus' `remote_write` keys, read so a prometheus.yml loads; what they configure is
    /// checked here, and forwarding itself is announced as unavailable at start-up.
    static let remoteWriteTargetKeys: Set<String> = [
        "url", "name", "remote_timeout", "headers", "write_relabel_configs", "basic_auth", "authorization", "bearer_token",
        "bearer_token_file", "tls_config", "proxy_url", "follow_redirects", "enable_http2", "queue_config", "metadata_config",
        "send_exemplars", "send_native_histograms", "protobuf_message", "sigv4", "oauth2", "azuread", "round_robin_dns",
    ]

    /// `global` as in a prometheus.yml: `scrape_interval`, `scrape_timeout` (defaults of every scrape
    /// job and of the built-in collectors' interval), `evaluation_interval` (rule groups without one)
    /// and `external_labels`.
    static func readGlobal(_ node: Node, path: String, top: [String: Node], into config: inout SurgeConfiguration) throws {
        let reader = YAMLReader(path: path)
        let fields = try reader.mapping(node, "global", allowed: ["scrape_interval", "scrape_timeout", "evaluation_interval", "external_labels"])
        func positive(_ key: String) throws -> Duration? {
            guard let n = fields[key] else { return nil }
            guard let value = duration(n) else { throw reader.fail(n, "\(key) must be a duration such as 15s") }
            return .milliseconds(value)
        }
        if let interval = try positive("scrape_interval") {
            config.defaultScrapeInterval = interval
            // As Prometheus: a global timeout left unset is the default 10s, or the interval if shorter.
            config.defaultScrapeTimeout = min(config.defaultScrapeTimeout, interval)
            if top["collectors"]?.mapping?["interval"] == nil { config.collectInterval = max(interval, .seconds(1)) }
        }
        if let timeout = try positive("scrape_timeout") {
            guard timeout <= config.defaultScrapeInterval else {
                throw reader.fail(fields["scrape_timeout"], "global scrape_timeout must not be greater than global scrape_interval")
            }
            config.defaultScrapeTimeout = timeout
        }
        if let n = fields["evaluation_interval"] {
            if top["rules"]?.mapping?["evaluation_interval"] != nil {
                throw reader.fail(n, "evaluation_interval is set in both global and rules; keep one")
            }
            config.evaluationInterval = try positive("evaluation_interval")!
        }
        if let n = fields["external_labels"] {
            if top["external_labels"] != nil { throw reader.fail(n, "external_labels is set both at the top and in global; keep one") }
            config.externalLabels = try readExternalLabels(n, path: path)
        }
    }

    static func readExternalLabels(_ node: Node, path: String) throws -> [String: String] {
        let reader = YAMLReader(path: path)
        guard let map = node.mapping else { throw reader.fail(node, "external_labels must be a mapping of label names to values") }
        var labels: [String: String] = [:]
        for (key, value) in map {
            guard let name = key.string, isValidLabelName(name), let text = value.string else {
                throw reader.fail(key, "external_labels: invalid label \(key.string ?? "")")
            }
            labels[name] = text
        }
        return labels
    }

    /// `remote_write` as Prometheus means it: the list of receivers to send to. Surge's own receiver
    /// limits, which this key once held, live under `remote_write_receiver`.
    static func readRemoteWriteTargets(_ node: Node, path: String) throws -> [RemoteWriteTarget] {
        let reader = YAMLReader(path: path)
        if node.mapping != nil {
            throw reader.fail(node, "remote_write is the list of receivers to send samples to, as in Prometheus; "
                + "the limits of Surge's own receiver moved to remote_write_receiver")
        }
        var targets: [RemoteWriteTarget] = []
        for item in try reader.sequence(node, "remote_write") {
            let fields = try reader.mapping(item, "a remote_write entry", allowed: remoteWriteTargetKeys)
            let urlNode = try reader.require(fields, "url", in: "a remote_write entry", at: item)
            let url = try reader.string(urlNode, "url")
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw reader.fail(urlNode, "url must be an http:// or https:// URL") }
            if let n = fields["protobuf_message"], !["prometheus.WriteRequest", "io.prometheus.write.v2.Request"].contains(n.string ?? "") {
                throw reader.fail(n, "protobuf_message must be prometheus.WriteRequest or io.prometheus.write.v2.Request")
            }
            if let n = fields["remote_timeout"], duration(n) == nil { throw reader.fail(n, "remote_timeout must be a duration such as 30s") }
            targets.append(RemoteWriteTarget(url: url, name: try fields["name"].map { try reader.string($0, "name") }))
        }
        return targets
    }
}
