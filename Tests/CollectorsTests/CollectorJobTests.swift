import Testing
import TimeSeriesCore
@testable import Collectors

/// A built-in collector's round, labelled as the scrape job it replaces.
@Suite struct CollectorJobTests {
    @Test func targetLabelsAreAttachedAndClashingOnesKeptAsExported() {
        let target = CollectorTarget.cadvisor(nodeName: "worker-1")
        let read = [
            CollectedSample("container_cpu_usage_seconds_total", [("id", "/"), ("cpu", "total")], 5),
            CollectedSample("container_processes", [("id", "/x"), ("job", "batch"), ("node", "other")], 3),
        ]
        let labelled = CollectorJobRound.labelled(read, target: target).map(\.labelSet)
        #expect(labelled[0] == Labels(["__name__": "container_cpu_usage_seconds_total", "id": "/", "cpu": "total", "job": "kubelet",
                                       "instance": "worker-1", "node": "worker-1", "metrics_path": "/metrics/cadvisor"]))
        #expect(labelled[1] == Labels(["__name__": "container_processes", "id": "/x", "exported_job": "batch", "exported_node": "other",
                                       "job": "kubelet", "instance": "worker-1", "node": "worker-1", "metrics_path": "/metrics/cadvisor"]))
    }

    @Test(arguments: [(10, [String](), 1.0), (0, [String](), 1.0), (0, ["/proc/stat: missing"], 0.0), (4, ["/proc/vmstat: missing"], 1.0)])
    func upIsZeroOnlyWhenNothingCouldBeRead(scraped: Int, errors: [String], up: Double) {
        let report = CollectorJobRound.report(scraped: scraped, errors: errors, seconds: 0.25, seriesAdded: 2, target: .node(nodeName: "n"))
        let values = Dictionary(uniqueKeysWithValues: report.map { ($0.name, $0.value) })
        #expect(values == ["up": up, "scrape_duration_seconds": 0.25, "scrape_samples_scraped": Double(scraped),
                           "scrape_samples_post_metric_relabeling": Double(scraped), "scrape_series_added": 2])
        #expect(report.allSatisfy { Set($0.labels) == [Label("job", "node-exporter"), Label("instance", "n")] })
    }

    @Test func nodeNameComesFromTheEnvironmentFirst() {
        #expect(CollectorTarget.defaultNodeName(environment: ["NODE_NAME": "ip-10-0-1-7"]) == "ip-10-0-1-7")
        #expect(CollectorTarget.defaultNodeName(environment: [:]).isEmpty == false)
    }

    @Test func theLatestRoundIsServedAsFamiliesWithTheTargetsTimestamps() {
        let latest = LatestCollections()
        let read = [CollectedSample("container_memory_rss", [("id", "/")], 10), CollectedSample("container_cpu_usage_seconds_total", [("id", "/")], 2),
                    CollectedSample("container_memory_rss", [("id", "/")], 11)]
        latest.record(read, target: .cadvisor(nodeName: "n"), at: 1_000)
        latest.record(read, target: .node(nodeName: "n"), at: 2_000)
        let cadvisor = latest.round(at: "/metrics/cadvisor")!.families
        #expect(cadvisor.map(\.name) == ["container_cpu_usage_seconds_total", "container_memory_rss"])
        #expect(cadvisor[0].metadata.type == .counter && cadvisor[1].metadata.type == .gauge && !cadvisor[1].metadata.help.isEmpty)
        #expect(cadvisor[1].samples.map(\.value) == [10])
        #expect(cadvisor[1].samples.map(\.timestamp) == [1_000])
        #expect(latest.round(at: "/metrics/node")!.families[1].samples.map(\.timestamp) == [nil])
    }
}
