import Foundation

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

    public init(jobName: String) {
        self.jobName = jobName
    }

    /// The targets of the static groups, with the labels Prometheus gives them: `job`, `instance`
    /// (the address) and the group's labels.
    public var targets: [ScrapeTarget] {
        staticConfigs.flatMap { group in
            group.targets.map { address in
                var labels = group.labels
                labels["job"] = labels["job"] ?? jobName
                labels["instance"] = labels["instance"] ?? address
                return ScrapeTarget(address: address, labels: labels, config: self)
            }
        }
    }
}

/// One endpoint to scrape and the labels its series get.
public struct ScrapeTarget: Sendable, Equatable, Hashable {
    public var address: String
    public var labels: [String: String]
    public var scrapePool: String
    public var scheme: String
    public var metricsPath: String
    public var url: String
    public var interval: Duration
    public var timeout: Duration

    init(address: String, labels: [String: String], config: ScrapeConfig) {
        self.address = address
        self.labels = labels
        self.scrapePool = config.jobName
        self.scheme = config.scheme
        self.metricsPath = config.metricsPath
        let query = config.params.sorted { $0.key < $1.key }.flatMap { name, values in
            values.map { "\(Self.escape(name))=\(Self.escape($0))" }
        }.joined(separator: "&")
        self.url = "\(config.scheme)://\(address)\(config.metricsPath)" + (query.isEmpty ? "" : "?" + query)
        self.interval = config.scrapeInterval
        self.timeout = config.scrapeTimeout
    }

    private static func escape(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)
        return text.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }
}
