import Foundation
import Collectors
import HTTPAPI
import Kubernetes
import Forwarding
import TimeSeriesCore
import WireFormat
import YAMLFiles
import Yams

/// One `remote_write` entry: where Surge forwards what its write-ahead log receives, and how.
public struct RemoteWriteTarget: Sendable, Equatable {
    /// The entry's `name`, if it gave one (the receiver is then named by its URL).
    public var name: String?
    public var receiver: RemoteWriteReceiver
    /// `write_relabel_configs`: what is sent, and under which labels.
    public var relabel: [RelabelRule] = []
    /// `tls_config`, for an https:// receiver.
    public var tls: TLSSettings?
    /// `proxy_url`: an HTTP proxy requests go through (CONNECT for https://).
    public var proxy: HostPort?

    public var url: String { receiver.url }

    public init(url: String, name: String? = nil) {
        self.name = name
        receiver = RemoteWriteReceiver(name: name ?? url, url: url)
    }
}

extension ConfigurationFile {
    /// Prometheus' `remote_write` keys Surge reads; the ones it does not support yet are refused by
    /// name rather than ignored.
    static let remoteWriteTargetKeys: Set<String> = [
        "url", "name", "remote_timeout", "headers", "write_relabel_configs", "basic_auth", "authorization", "bearer_token",
        "bearer_token_file", "queue_config", "metadata_config", "send_exemplars", "send_native_histograms", "protobuf_message",
        "follow_redirects", "enable_http2", "tls_config", "proxy_url",
    ]
    static let unsupportedRemoteWriteKeys: Set<String> = ["sigv4", "oauth2", "azuread", "round_robin_dns"]

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

    /// `queue_config` in Prometheus' terms.
    static func readQueueConfig(_ node: Node, reader: YAMLReader) throws -> RemoteWriteQueueSettings {
        let fields = try reader.mapping(node, "queue_config", allowed: [
            "capacity", "max_shards", "min_shards", "max_samples_per_send", "batch_send_deadline", "min_backoff", "max_backoff",
            "retry_on_http_429", "max_retries", "sample_age_limit",
        ])
        var queue = RemoteWriteQueueSettings()
        if let n = fields["capacity"] { queue.capacity = try reader.int(n, "capacity", minimum: 1) }
        if let n = fields["max_shards"] { queue.maxShards = try reader.int(n, "max_shards", minimum: 1) }
        if let n = fields["min_shards"] { queue.minShards = try reader.int(n, "min_shards", minimum: 1) }
        if let n = fields["max_samples_per_send"] { queue.maxSamplesPerSend = try reader.int(n, "max_samples_per_send", minimum: 1) }
        for (key, keyPath) in [("batch_send_deadline", \RemoteWriteQueueSettings.batchSendDeadline), ("min_backoff", \RemoteWriteQueueSettings.minBackoff),
                               ("max_backoff", \RemoteWriteQueueSettings.maxBackoff)] {
            guard let n = fields[key] else { continue }
            guard let value = duration(n) else { throw reader.fail(n, "\(key) must be a duration such as 5s") }
            queue[keyPath: keyPath] = .milliseconds(value)
        }
        if let n = fields["retry_on_http_429"] { queue.retryOnHTTP429 = try reader.bool(n, "retry_on_http_429") }
        guard queue.minShards <= queue.maxShards else { throw reader.fail(node, "min_shards must not exceed max_shards") }
        guard queue.minBackoff <= queue.maxBackoff else { throw reader.fail(node, "min_backoff must not exceed max_backoff") }
        return queue
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
            if let keys = item.mapping?.keys {
                for key in keys where unsupportedRemoteWriteKeys.contains(key.string ?? "") {
                    throw reader.fail(key, "remote_write \(key.string!) is not supported yet")
                }
            }
            let fields = try reader.mapping(item, "a remote_write entry", allowed: remoteWriteTargetKeys)
            let urlNode = try reader.require(fields, "url", in: "a remote_write entry", at: item)
            let url = try reader.string(urlNode, "url")
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw reader.fail(urlNode, "url must be an http:// or https:// URL") }
            let name = try fields["name"].map { try reader.string($0, "name") }
            guard !targets.contains(where: { ($0.name ?? $0.url) == (name ?? url) }) else {
                throw reader.fail(item, "remote_write \(name ?? url) is given twice; give the entries different names")
            }
            var target = RemoteWriteTarget(url: url, name: name)
            if let n = fields["protobuf_message"] {
                guard let version = n.string.flatMap(RemoteWriteVersion.init(rawValue:)) else {
                    throw reader.fail(n, "protobuf_message must be prometheus.WriteRequest or io.prometheus.write.v2.Request")
                }
                target.receiver.version = version
            }
            if let n = fields["remote_timeout"] {
                guard let value = duration(n) else { throw reader.fail(n, "remote_timeout must be a duration such as 30s") }
                target.receiver.timeout = .milliseconds(value)
            }
            for (key, value) in fields["headers"]?.mapping ?? [:] {
                guard let header = key.string, let text = value.string else { throw reader.fail(key, "headers must map names to strings") }
                target.receiver.headers[header] = text
            }
            if let authorization = try readAuthorization(fields, path: path) {
                switch authorization.headerValue(readFile: { try? String(contentsOfFile: $0, encoding: .utf8) }) {
                case .success(let value): target.receiver.authorization = value
                case .failure(let error): throw reader.fail(item, "remote_write \(name ?? url): \(error.message)")
                }
            }
            if let n = fields["write_relabel_configs"] { target.relabel = try readRelabelRules(n, path: path) }
            if let n = fields["queue_config"] { target.receiver.queue = try readQueueConfig(n, reader: reader) }
            if let n = fields["tls_config"] {
                let tls = try readTLSSettings(n, path: path)
                do { _ = try tls.makeConfiguration() } catch { throw reader.fail(n, "remote_write \(name ?? url): \(error.message)") }
                target.tls = tls
            }
            if let n = fields["proxy_url"] {
                let text = try reader.string(n, "proxy_url")
                guard let proxy = URL(string: text), proxy.scheme == "http", let host = proxy.host else {
                    throw reader.fail(n, "proxy_url must be an http:// URL of an HTTP proxy, such as http://proxy.example.com:3128")
                }
                target.proxy = HostPort(host: host, port: proxy.port ?? 80)
            }
            targets.append(target)
        }
        return targets
    }
}
