import Foundation
import TimeSeriesCore

/// How a built-in collector's series look from outside: as the targets of the scrape job it
/// replaces. Node metrics as node_exporter scraped by a job `node-exporter`; container metrics as
/// the kubelet's cAdvisor endpoint scraped by a job `kubelet` with `metrics_path`, `instance` and
/// `node`. `path` is where Surge serves the collector's latest round for other scrapers.
public struct CollectorTarget: Sendable, Equatable {
    public var job: String
    public var instance: String
    /// Target labels beside job and instance (`node`, `metrics_path`, or a shop's own).
    public var labels: [String: String]
    public var path: String
    /// Whether the served exposition stamps samples with the collection time, as the kubelet does
    /// for cAdvisor's metrics and node_exporter does not.
    public var timestamps: Bool

    public init(job: String, instance: String, labels: [String: String] = [:], path: String, timestamps: Bool = false) {
        self.job = job
        self.instance = instance
        self.labels = labels
        self.path = path
        self.timestamps = timestamps
    }

    /// The node collector as kube-prometheus scrapes node_exporter: instance is the node's name.
    public static func node(nodeName: String) -> CollectorTarget {
        CollectorTarget(job: "node-exporter", instance: nodeName, path: "/metrics/node")
    }

    /// The cgroup collector as kube-prometheus scrapes the kubelet's cAdvisor endpoint.
    public static func cadvisor(nodeName: String) -> CollectorTarget {
        CollectorTarget(job: "kubelet", instance: nodeName, labels: ["node": nodeName, "metrics_path": "/metrics/cadvisor"],
                        path: "/metrics/cadvisor", timestamps: true)
    }

    public var targetLabels: [Label] {
        [Label("job", job), Label("instance", instance)] + labels.map { Label($0.key, $0.value) }
    }

    /// The node's name: `NODE_NAME` (what a DaemonSet passes from the downward API), else the host name.
    public static func defaultNodeName(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let name = environment["NODE_NAME"], !name.isEmpty { return name }
        return ProcessInfo.processInfo.hostName
    }
}

/// One built-in collector run as a scrape job: where it reads, and how its series are labelled.
public struct CollectorJob: Sendable {
    public var source: any SampleSource
    public var target: CollectorTarget

    public init(source: any SampleSource, target: CollectorTarget) {
        self.source = source
        self.target = target
    }
}

/// What one round of a collector job stores: its samples with the target's labels attached as a
/// scrape attaches them (a sample's own label of the same name is kept as `exported_<name>`, as
/// with honor_labels false), then the job's `up`, `scrape_duration_seconds`, `scrape_samples_scraped`,
/// `scrape_samples_post_metric_relabeling` and `scrape_series_added`.
public enum CollectorJobRound {
    public static func labelled(_ read: [CollectedSample], target: CollectorTarget) -> [CollectedSample] {
        let targetLabels = target.targetLabels
        let targetNames = Set(targetLabels.map(\.name))
        return read.map { sample in
            var sample = sample
            if sample.labels.contains(where: { targetNames.contains($0.name) }) {
                sample.labels = sample.labels.map { targetNames.contains($0.name) ? Label("exported_" + $0.name, $0.value) : $0 }
            }
            sample.labels += targetLabels
            return sample
        }
    }

    /// The job's own series; `up` is 0 when the collector read nothing and reported errors.
    public static func report(scraped: Int, errors: [String], seconds: Double, seriesAdded: Int, target: CollectorTarget) -> [CollectedSample] {
        let pairs = target.targetLabels.map { ($0.name, $0.value) }
        return [
            CollectedSample("up", pairs, scraped == 0 && !errors.isEmpty ? 0 : 1),
            CollectedSample("scrape_duration_seconds", pairs, seconds),
            CollectedSample("scrape_samples_scraped", pairs, Double(scraped)),
            CollectedSample("scrape_samples_post_metric_relabeling", pairs, Double(scraped)),
            CollectedSample("scrape_series_added", pairs, Double(seriesAdded)),
        ]
    }
}
