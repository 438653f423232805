import Foundation
import Kubernetes
import TimeSeriesCore

/// One `scrape_configs` entry, the subset of Prometheus' fields Surge reads so far.
public struct ScrapeConfig: Sendable, Equatable {
    public struct StaticGroup: Sendable, Equatable {
        public var targets: [String]
        public var labels: [String: String]

        public init(targets: [String], labels: [String: String] = [:]) {
            self.targets = targets
            self.labels = labels
        }
    }

    public var jobName: String
    public var scrapeInterval: Duration = .seconds(15)
    public var scrapeTimeout: Duration = .seconds(10)
    public var metricsPath = "/metrics"
    public var scheme = "http"
    public var params: [String: [String]] = [:]
    public var honorLabels = false
    public var honorTimestamps = true
    /// Samples per scrape beyond which the whole scrape fails; 0 means no limit.
    public var sampleLimit = 0
    public var staticConfigs: [StaticGroup] = []
    public var fileSDConfigs: [FileSDConfig] = []
    public var kubernetesSDConfigs: [KubernetesSDConfig] = []
    /// `tls_config` for https targets.
    public var tls: TLSSettings?
    /// The `Authorization` header each scrape sends: `basic_auth`, `bearer_token(_file)` or
    /// `authorization`. Files are read at each scrape, so rotated credentials are picked up.
    public var authorization: ScrapeAuthorization?
    /// Applied to each target's discovered labels; a target whose labels are dropped is not scraped.
    public var relabelConfigs: [RelabelRule] = []
    /// Applied to every scraped series; dropped series are not stored.
    public var metricRelabelConfigs: [RelabelRule] = []

    public init(jobName: String) {
        self.jobName = jobName
    }

    /// The targets of the static groups after `relabel_configs`, as Prometheus builds them: the
    /// discovered labels (`__address__`, `__scheme__`, `__metrics_path__`, `__param_<name>`, the
    /// scrape interval and timeout, `job` and the group's labels) are relabeled; the address, scheme,
    /// path and parameters are read back from them; labels starting with `__` are removed; and
    /// `instance` defaults to the address.
    public var targets: [ScrapeTarget] { resolveTargets().active }

    /// Active targets, and the discovered labels of the ones relabeling dropped, from the static
    /// groups and any `discovered` ones (file_sd, kubernetes_sd).
    public func resolveTargets(discovered discoveredGroups: [StaticGroup] = []) -> (active: [ScrapeTarget], dropped: [[String: String]]) {
        var active: [ScrapeTarget] = []
        var dropped: [[String: String]] = []
        for group in staticConfigs + discoveredGroups {
            for address in group.targets {
                var discovered = group.labels
                discovered["__address__"] = address
                discovered["__scheme__"] = scheme
                discovered["__metrics_path__"] = metricsPath
                discovered["__scrape_interval__"] = formatDuration(scrapeInterval.inMilliseconds)
                discovered["__scrape_timeout__"] = formatDuration(scrapeTimeout.inMilliseconds)
                discovered["job"] = discovered["job"] ?? jobName
                for (name, values) in params { if let first = values.first { discovered["__param_" + name] = first } }
                guard let labels = Relabeling.apply(relabelConfigs, to: discovered), let finalAddress = labels["__address__"],
                      !finalAddress.isEmpty else {
                    dropped.append(discovered)
                    continue
                }
                active.append(ScrapeTarget(discovered: discovered, labels: labels, config: self))
            }
        }
        return (active, dropped)
    }
}

/// One endpoint to scrape and the labels its series get.
public struct ScrapeTarget: Sendable, Equatable, Hashable {
    public var address: String
    public var labels: [String: String]
    /// The labels before relabeling, as `/api/v1/targets` shows them.
    public var discoveredLabels: [String: String]
    public var scrapePool: String
    public var scheme: String
    public var metricsPath: String
    public var url: String
    public var interval: Duration
    public var timeout: Duration
    public var authorization: ScrapeAuthorization?
    public var tls: TLSSettings?

    init(discovered: [String: String], labels relabeled: [String: String], config: ScrapeConfig) {
        discoveredLabels = discovered
        address = relabeled["__address__"] ?? ""
        scheme = relabeled["__scheme__"] ?? config.scheme
        metricsPath = relabeled["__metrics_path__"] ?? config.metricsPath
        var labels = relabeled.filter { !$0.key.hasPrefix("__") && !$0.value.isEmpty }
        labels["instance"] = labels["instance"] ?? address
        self.labels = labels
        scrapePool = config.jobName
        // Parameters come back from __param_<name>; names with several values keep the rest.
        var params = config.params
        for (name, value) in relabeled where name.hasPrefix("__param_") {
            let key = String(name.dropFirst(8))
            params[key] = [value] + (params[key]?.dropFirst() ?? [])
        }
        let query = params.sorted { $0.key < $1.key }.flatMap { name, values in
            values.map { "\(Self.escape(name))=\(Self.escape($0))" }
        }.joined(separator: "&")
        url = "\(scheme)://\(address)\(metricsPath)" + (query.isEmpty ? "" : "?" + query)
        interval = config.scrapeInterval
        timeout = config.scrapeTimeout
        authorization = config.authorization
        tls = config.tls
    }

    private static func escape(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)
        return text.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }
}

/// Credentials a scrape presents, as Prometheus' HTTP client settings name them.
public enum ScrapeAuthorization: Sendable, Equatable, Hashable {
    case basic(username: String, password: String?, passwordFile: String?)
    /// `authorization` (type defaults to Bearer) and the older `bearer_token` / `bearer_token_file`.
    case credentials(type: String, value: String?, file: String?)

    /// The header value, or a message naming the file that could not be read.
    public func headerValue(readFile: (String) -> String?) -> Result<String, ScrapeAuthorizationError> {
        switch self {
        case .basic(let username, let password, let passwordFile):
            var secret = password ?? ""
            if let passwordFile {
                guard let text = readFile(passwordFile) else { return .failure(.init(message: "unable to read password file \(passwordFile)")) }
                secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return .success("Basic " + Data("\(username):\(secret)".utf8).base64EncodedString())
        case .credentials(let type, let value, let file):
            var secret = value ?? ""
            if let file {
                guard let text = readFile(file) else { return .failure(.init(message: "unable to read authorization credentials file \(file)")) }
                secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return .success("\(type) \(secret)")
        }
    }
}

public struct ScrapeAuthorizationError: Error, Sendable, Equatable {
    public let message: String
}
