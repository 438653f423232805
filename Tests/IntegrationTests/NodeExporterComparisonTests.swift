import Collectors
import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat

/// Surge's node collector beside Debian's node_exporter on this machine: for every metric name both
/// expose, the same label sets, and values between two node_exporter scrapes taken around Surge's read.
@Suite(.serialized) struct NodeExporterComparisonTests {
    static func scrape(_ url: String) async throws -> [Labels: Double] {
        let reply = try await TestHTTP.get(url)
        let exposition = try ExpositionParser.parse(reply.body, format: ExpositionFormat(contentType: reply.header("Content-Type")))
        // Empty label values are absent labels, as storage keeps them.
        return Dictionary(exposition.samples.map { (Labels($0.labels.pairs), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    @Test(.timeLimit(.minutes(2)))
    func sameNamesLabelsAndValuesAsNodeExporter() async throws {
        guard let binary = which("prometheus-node-exporter") else {
            throw TestKitError("prometheus-node-exporter is not installed; scripts/install-deps installs it")
        }
        let dir = try TemporaryDirectory(prefix: "surge-node-exporter")
        defer { dir.remove() }
        let port = try freeLocalPort()
        let exporter = try ChildProcess(
            executable: binary,
            arguments: ["--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.cpu",
                        "--collector.stat", "--collector.meminfo", "--collector.loadavg", "--collector.netdev",
                        "--collector.diskstats", "--collector.pressure", "--collector.filesystem", "--collector.uname",
                        "--collector.time", "--collector.vmstat", "--collector.netstat", "--collector.sockstat", "--collector.filefd",
                        "--collector.entropy", "--collector.os"],
            logURL: dir.url.appendingPathComponent("node_exporter.log"))
        defer { exporter.signal(SIGKILL) }
        let url = "http://127.0.0.1:\(port)/metrics"
        try await TestHTTP.waitUntilReady(url, process: exporter)

        let before = try await Self.scrape(url)
        let ours = NodeCollector().collect().samples
        let after = try await Self.scrape(url)

        let ourNames = Set(ours.map(\.name))
        let theirNames = Set(before.keys.compactMap { $0[metricNameLabel] })
        let shared = ourNames.intersection(theirNames)
        #expect(shared.count >= 120, "only \(shared.count) names in common: \(shared.sorted())")
        // Names node_exporter does not have are a naming bug on our side.
        #expect(ourNames.subtracting(theirNames).isEmpty, "not in node_exporter: \(ourNames.subtracting(theirNames).sorted())")

        var compared = 0
        var problems: [String] = []
        let oursByLabels = Dictionary(ours.map { ($0.labelSet, $0.value) }, uniquingKeysWith: { first, _ in first })
        for (labels, value) in oursByLabels {
            guard let first = before[labels], let second = after[labels] else {
                problems.append("node_exporter has no \(labels)")
                continue
            }
            compared += 1
            let low = min(first, second), high = max(first, second)
            // Counters move between the reads. Instantaneous gauges (running and blocked processes,
            // I/Os in flight) change with every process that wakes, the readers and other tests too;
            // memory gauges move with every allocation. A wrong unit would still be off by 512 or 1024 times.
            let name = labels[metricNameLabel]!
            let slack: Double
            switch name {
            case "node_procs_running", "node_procs_blocked", "node_disk_io_now": slack = 64
            case _ where name.hasPrefix("node_memory_"): slack = max(abs(high) * 0.02, 256 * 1024 * 1024)
            case _ where name.hasPrefix("node_cpu"): slack = max(abs(high) * 0.02, 0.5)
            // Sockets, connections and file descriptors open and close with every process.
            case _ where name.hasPrefix("node_sockstat_") || name == "node_filefd_allocated" || name == "node_netstat_Tcp_CurrEstab":
                slack = 256
            case "node_entropy_available_bits": slack = 4096
            default: slack = max(abs(high) * 0.02, 1e-6)
            }
            if value < low - slack || value > high + slack {
                problems.append("\(labels): surge \(value), node_exporter \(first) then \(second)")
            }
        }
        for labels in before.keys where shared.contains(labels[metricNameLabel] ?? "") && oursByLabels[labels] == nil {
            problems.append("surge has no \(labels)")
        }
        print("node_exporter comparison: \(shared.count) metric names in common, \(compared) series compared, \(problems.count) differences")
        #expect(problems.isEmpty, "\(problems.count) differences:\n\(problems.sorted().joined(separator: "\n"))")
    }
}
