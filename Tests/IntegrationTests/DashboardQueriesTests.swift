import Foundation
import SurgeTestKit
import Testing

/// Panel queries of well-known community dashboards (node-mixin's "Node Exporter / Nodes" and "USE
/// Method / Node", Grafana's "Node Exporter Full", kubernetes-mixin's compute-resources dashboards,
/// and node-mixin's alerts), with their template variables filled in, run against Surge with its
/// collectors and against Debian's Prometheus scraping Debian's node_exporter (and the cAdvisor
/// endpoint Surge serves, there being no kubelet here) side by side: every panel Prometheus answers,
/// Surge answers with the same series.
@Suite(.serialized) struct DashboardQueriesTests {
    static let variables = ["$instance": "test-node", "$node": "test-node", "$job": "node-exporter", "$__rate_interval": "1m",
                            "$__interval": "15s", "$cluster": "", "$namespace": ".+"]

    static let panels: [(dashboard: String, query: String)] = [
        ("node-mixin nodes: CPU usage", #"(1 - sum without (mode) (rate(node_cpu_seconds_total{job="node-exporter", mode=~"idle|iowait|steal", instance="$instance"}[$__rate_interval]))) / ignoring(cpu) group_left count without (cpu, mode) (node_cpu_seconds_total{job="node-exporter", mode="idle", instance="$instance"})"#),
        ("node-mixin nodes: load average", #"node_load1{job="node-exporter", instance="$instance"}"#),
        ("node-mixin nodes: load average", #"node_load15{job="node-exporter", instance="$instance"}"#),
        ("node-mixin nodes: logical cores", #"count(node_cpu_seconds_total{job="node-exporter", instance="$instance", mode="idle"})"#),
        ("node-mixin nodes: memory used", #"(node_memory_MemTotal_bytes{job="node-exporter", instance="$instance"} - node_memory_MemFree_bytes{job="node-exporter", instance="$instance"} - node_memory_Buffers_bytes{job="node-exporter", instance="$instance"} - node_memory_Cached_bytes{job="node-exporter", instance="$instance"})"#),
        ("node-mixin nodes: memory usage gauge", #"100 - (avg(node_memory_MemAvailable_bytes{job="node-exporter", instance="$instance"}) / avg(node_memory_MemTotal_bytes{job="node-exporter", instance="$instance"}) * 100)"#),
        ("node-mixin nodes: disk read", #"rate(node_disk_read_bytes_total{job="node-exporter", instance="$instance", device=~"(/dev/)?(mmcblk.p.+|nvme.+|rbd.+|sd.+|vd.+|xvd.+|dm-.+|md.+|dasd.+)"}[$__rate_interval])"#),
        ("node-mixin nodes: disk io time", #"rate(node_disk_io_time_seconds_total{job="node-exporter", instance="$instance", device=~"(/dev/)?(mmcblk.p.+|nvme.+|rbd.+|sd.+|vd.+|xvd.+|dm-.+|md.+|dasd.+)"}[$__rate_interval])"#),
        ("node-mixin nodes: disk space", #"sort_desc(1 - (max without (mountpoint, fstype) (node_filesystem_avail_bytes{job="node-exporter", fstype!="", instance="$instance"}) / max without (mountpoint, fstype) (node_filesystem_size_bytes{job="node-exporter", fstype!="", instance="$instance"})))"#),
        ("node-mixin nodes: network received", #"rate(node_network_receive_bytes_total{job="node-exporter", instance="$instance", device!="lo"}[$__rate_interval]) * 8"#),
        ("node-mixin nodes: network transmitted", #"rate(node_network_transmit_bytes_total{job="node-exporter", instance="$instance", device!="lo"}[$__rate_interval]) * 8"#),
        ("node-mixin USE: CPU saturation", #"node_load1{job="node-exporter", instance="$instance"} / count without (cpu) (count without (mode) (node_cpu_seconds_total{job="node-exporter", mode="idle", instance="$instance"}))"#),
        ("node-mixin USE: memory saturation", #"rate(node_vmstat_pgmajfault{job="node-exporter", instance="$instance"}[$__rate_interval])"#),
        ("node-mixin USE: network errors", #"rate(node_network_receive_errs_total{job="node-exporter", instance="$instance", device!="lo"}[$__rate_interval])"#),
        ("node-mixin USE: network drops", #"rate(node_network_receive_drop_total{job="node-exporter", instance="$instance", device!="lo"}[$__rate_interval])"#),
        ("node-mixin USE: disk saturation", #"rate(node_disk_io_time_weighted_seconds_total{job="node-exporter", instance="$instance", device=~"(/dev/)?(mmcblk.p.+|nvme.+|rbd.+|sd.+|vd.+|xvd.+|dm-.+|md.+|dasd.+)"}[$__rate_interval])"#),
        ("node-mixin USE: pressure", #"rate(node_pressure_cpu_waiting_seconds_total{job="node-exporter", instance="$instance"}[$__rate_interval])"#),
        ("node-mixin alert: filesystem almost out of space", #"(node_filesystem_avail_bytes{job="node-exporter",fstype!=""} / node_filesystem_size_bytes{job="node-exporter",fstype!=""} * 100 < 101 and node_filesystem_readonly{job="node-exporter",fstype!=""} == 0)"#),
        ("node-mixin alert: file descriptors", #"(node_filefd_allocated{job="node-exporter"} * 100 / node_filefd_maximum{job="node-exporter"} > -1)"#),
        ("node-mixin alert: OOM kills", #"increase(node_vmstat_oom_kill{job="node-exporter"}[30m]) >= 0"#),
        ("node-mixin alert: memory major page faults", #"rate(node_vmstat_pgmajfault{job="node-exporter"}[5m]) >= 0"#),
        ("node-mixin alert: target down", #"up{job="node-exporter"} == 1"#),
        ("node exporter full: uptime", #"node_time_seconds{instance="$node",job="$job"} - node_boot_time_seconds{instance="$node",job="$job"}"#),
        ("node exporter full: CPU cores", #"count(count(node_cpu_seconds_total{instance="$node",job="$job"}) by (cpu))"#),
        ("node exporter full: RAM total", #"node_memory_MemTotal_bytes{instance="$node",job="$job"}"#),
        ("node exporter full: swap total", #"node_memory_SwapTotal_bytes{instance="$node",job="$job"}"#),
        ("node exporter full: root FS total", #"node_filesystem_size_bytes{instance="$node",job="$job",mountpoint="/",fstype!="rootfs"}"#),
        ("node exporter full: context switches", #"irate(node_context_switches_total{instance="$node",job="$job"}[$__rate_interval])"#),
        ("node exporter full: interrupts", #"irate(node_intr_total{instance="$node",job="$job"}[$__rate_interval])"#),
        ("node exporter full: processes", #"node_procs_running{instance="$node",job="$job"}"#),
        ("node exporter full: TCP established", #"node_netstat_Tcp_CurrEstab{instance="$node",job="$job"}"#),
        ("node exporter full: TCP segments", #"irate(node_netstat_Tcp_InSegs{instance="$node",job="$job"}[$__rate_interval])"#),
        ("node exporter full: TCP retransmits", #"irate(node_netstat_Tcp_RetransSegs{instance="$node",job="$job"}[$__rate_interval])"#),
        ("node exporter full: sockets in use", #"node_sockstat_TCP_inuse{instance="$node",job="$job"}"#),
        ("node exporter full: sockets used", #"node_sockstat_sockets_used{instance="$node",job="$job"}"#),
        ("node exporter full: entropy", #"node_entropy_available_bits{instance="$node",job="$job"}"#),
        ("node exporter full: file descriptors", #"node_filefd_maximum{instance="$node",job="$job"}"#),
        ("node exporter full: page faults", #"irate(node_vmstat_pgfault{instance="$node",job="$job"}[$__rate_interval])"#),
        ("node exporter full: swap in", #"irate(node_vmstat_pswpin{instance="$node",job="$job"}[$__rate_interval])"#),
        ("node exporter full: UDP datagrams", #"irate(node_netstat_Udp_InDatagrams{instance="$node",job="$job"}[$__rate_interval])"#),
        ("node exporter full: kernel", #"node_uname_info{instance="$node",job="$job"}"#),
        ("node exporter full: OS", #"node_os_info{instance="$node",job="$job"}"#),
        ("node exporter full: time zone", #"node_time_zone_offset_seconds{instance="$node",job="$job"}"#),
        ("kubernetes-mixin cluster: CPU cores", #"sum(machine_cpu_cores{job="kubelet", metrics_path="/metrics/cadvisor"})"#),
        ("kubernetes-mixin cluster: memory", #"sum(machine_memory_bytes{job="kubelet", metrics_path="/metrics/cadvisor"})"#),
        ("kubernetes-mixin node: CPU usage", #"sum(rate(container_cpu_usage_seconds_total{job="kubelet", metrics_path="/metrics/cadvisor", id="/"}[5m])) by (node)"#),
        ("kubernetes-mixin node: memory working set", #"sum(container_memory_working_set_bytes{job="kubelet", metrics_path="/metrics/cadvisor", id="/"}) by (node)"#),
        ("kubernetes-mixin namespace: memory by pod", #"sum(container_memory_working_set_bytes{job="kubelet", metrics_path="/metrics/cadvisor", namespace=~"$namespace", container!="", image!=""}) by (pod)"#),
        ("kubernetes-mixin: CPU throttling", #"sum(increase(container_cpu_cfs_throttled_periods_total{job="kubelet", metrics_path="/metrics/cadvisor"}[5m])) by (id) / sum(increase(container_cpu_cfs_periods_total{job="kubelet", metrics_path="/metrics/cadvisor"}[5m])) by (id)"#),
        ("kubernetes-mixin: filesystem usage", #"sum(container_fs_usage_bytes{job="kubelet", metrics_path="/metrics/cadvisor", id="/"}) by (node, device)"#),
        ("kubernetes-mixin alert: kubelet down", #"up{job="kubelet", metrics_path="/metrics/cadvisor"} == 1"#),
    ]

    static func filled(_ query: String) -> String {
        variables.reduce(query) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }

    @Test(.timeLimit(.minutes(3)))
    func surgeAnswersEveryPanelPrometheusAnswers() async throws {
        guard let prometheusBinary = which("prometheus"), let exporterBinary = which("prometheus-node-exporter") else {
            throw TestKitError("prometheus and prometheus-node-exporter are not installed; scripts/install-deps installs them")
        }
        let dir = try TemporaryDirectory(prefix: "surge-dashboards")
        defer { dir.remove() }
        let surgePort = try freeLocalPort(), promPort = try freeLocalPort(), exporterPort = try freeLocalPort()
        let exporter = try ChildProcess(executable: exporterBinary, arguments: ["--web.listen-address=127.0.0.1:\(exporterPort)"],
                                        logURL: dir.url.appendingPathComponent("node_exporter.log"))
        defer { exporter.signal(SIGKILL) }
        try "collectors:\n  interval: 1s\n  node_name: test-node\n".write(to: dir.url.appendingPathComponent("surge.yml"), atomically: true, encoding: .utf8)
        let surge = try await SurgeBinary.serve(dataDirectory: dir.url.appendingPathComponent("surge").path, port: surgePort,
                                                logURL: dir.url.appendingPathComponent("surge.log"),
                                                configPath: dir.url.appendingPathComponent("surge.yml").path, collect: true)
        defer { surge.signal(SIGKILL) }
        try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: node-exporter
                static_configs: [{targets: ['127.0.0.1:\(exporterPort)']}]
                relabel_configs: [{target_label: instance, replacement: test-node}]
            \(kubeletScrapeJob(surgePort: surgePort, node: "test-node"))
            """.write(to: dir.url.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        let prometheus = try ChildProcess(
            executable: prometheusBinary,
            arguments: ["--config.file=\(dir.url.appendingPathComponent("prometheus.yml").path)",
                        "--storage.tsdb.path=\(dir.url.appendingPathComponent("prom").path)", "--web.listen-address=127.0.0.1:\(promPort)"],
            logURL: dir.url.appendingPathComponent("prometheus.log"))
        defer { prometheus.signal(SIGKILL) }
        let surgeURL = "http://127.0.0.1:\(surgePort)", promURL = "http://127.0.0.1:\(promPort)"
        try await TestHTTP.waitUntilReady("\(promURL)/-/ready", process: prometheus)
        // Enough rounds on both sides for rates over a minute's window.
        _ = try await pollQuery(promURL, #"count_over_time(up{job="node-exporter"}[1m]) >= 12"#, timeout: .seconds(60), every: .milliseconds(500)) { !$0.isEmpty }
        _ = try await pollQuery(surgeURL, #"count_over_time(up{job="node-exporter"}[1m]) >= 12"#, timeout: .seconds(60), every: .milliseconds(500)) { !$0.isEmpty }

        let time = String(Date().timeIntervalSince1970)
        var answered = 0, missing: [String] = [], unanswered: [String] = []
        for panel in Self.panels {
            let query = Self.filled(panel.query)
            let theirs = try await instantResult(promURL, query, time: time)
            guard !theirs.isEmpty else {
                unanswered.append(panel.dashboard)
                continue
            }
            answered += 1
            let ours = try await instantResult(surgeURL, query, time: time)
            if Set(ours.keys) != Set(theirs.keys) {
                missing.append("\(panel.dashboard): Prometheus \(theirs.keys.map { $0.sorted { $0.key < $1.key } }), Surge \(ours.keys.map { $0.sorted { $0.key < $1.key } })")
            }
        }
        // Template variables: the instance list node-mixin reads from node_uname_info.
        let instances = try await TestHTTP.get(surgeURL + "/api/v1/label/instance/values?match%5B%5D=" + TestHTTP.urlEncode(#"node_uname_info{job="node-exporter", sysname!="Darwin"}"#))
        #expect(instances.text.contains(#"["test-node"]"#), "\(instances.text)")
        print("dashboard queries: \(Self.panels.count) panels, \(answered) answered by Prometheus, \(answered - missing.count) answered alike by Surge; no data in Prometheus either: \(unanswered)")
        #expect(answered >= Self.panels.count - 3, "Prometheus answered only \(answered) of \(Self.panels.count)")
        #expect(missing.isEmpty, "\(missing.count) panels differ:\n\(missing.joined(separator: "\n"))")
    }
}
