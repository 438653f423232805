import Foundation
import SurgeTestKit

/// `surge serve` and Debian's Prometheus side by side on free ports of 127.0.0.1, both ready.
struct SurgeBesidePrometheus {
    let surge: ChildProcess
    let prometheus: ChildProcess
    let surgeURL: String
    let promURL: String

    /// `startPrometheus` gets Surge's port and Prometheus' own.
    static func start(in dir: TemporaryDirectory,
                      prometheus startPrometheus: (_ surgePort: Int, _ promPort: Int) throws -> ChildProcess) async throws -> Self {
        let surgePort = try freeLocalPort()
        let promPort = try freeLocalPort()
        let surge = try await SurgeBinary.serve(
            dataDirectory: dir.url.appendingPathComponent("surge").path, port: surgePort,
            logURL: dir.url.appendingPathComponent("surge.log"))
        let prometheus: ChildProcess
        do {
            prometheus = try startPrometheus(surgePort, promPort)
        } catch {
            surge.signal(SIGKILL)
            throw error
        }
        let pair = Self(surge: surge, prometheus: prometheus, surgeURL: "http://127.0.0.1:\(surgePort)",
                        promURL: "http://127.0.0.1:\(promPort)")
        do {
            try await TestHTTP.waitUntilReady("\(pair.promURL)/-/ready", process: prometheus)
        } catch {
            pair.kill()
            throw error
        }
        return pair
    }

    func kill() {
        prometheus.signal(SIGKILL)
        surge.signal(SIGKILL)
    }
}

/// Starts Debian's `prometheus` on 127.0.0.1, scraping itself every second and remote-writing to `writeURL`.
func startPrometheus(port: Int, writeURL: String, directory: TemporaryDirectory) throws -> ChildProcess {
    guard let binary = which("prometheus") else {
        throw TestKitError("the prometheus binary is not installed; scripts/install-deps installs Debian's prometheus package")
    }
    let config = """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: prometheus
            static_configs:
              - targets: ['127.0.0.1:\(port)']
        remote_write:
          - url: \(writeURL)
            queue_config:
              batch_send_deadline: 1s
              min_backoff: 100ms
              max_backoff: 1s
        """
    let configURL = directory.url.appendingPathComponent("prometheus.yml")
    try config.write(to: configURL, atomically: true, encoding: .utf8)
    return try ChildProcess(
        executable: binary,
        arguments: [
            "--config.file=\(configURL.path)",
            "--storage.tsdb.path=\(directory.url.appendingPathComponent("prometheus-data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
        ],
        logURL: directory.url.appendingPathComponent("prometheus.log"))
}

/// Starts Debian's `prometheus` on 127.0.0.1 with nothing to scrape, taking remote-write on /api/v1/write.
func startPrometheusReceiver(port: Int, directory: TemporaryDirectory) throws -> ChildProcess {
    guard let binary = which("prometheus") else {
        throw TestKitError("the prometheus binary is not installed; scripts/install-deps installs Debian's prometheus package")
    }
    let configURL = directory.url.appendingPathComponent("prometheus-receiver.yml")
    try "global:\n  scrape_interval: 1m\n".write(to: configURL, atomically: true, encoding: .utf8)
    return try ChildProcess(
        executable: binary,
        arguments: [
            "--config.file=\(configURL.path)",
            "--storage.tsdb.path=\(directory.url.appendingPathComponent("prometheus-receiver-data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
            "--web.enable-remote-write-receiver",
        ],
        logURL: directory.url.appendingPathComponent("prometheus-receiver.log"))
}

/// The result of an instant query as label sets and values, for comparing two servers.
func instantResult(_ base: String, _ query: String, time: String) async throws -> [[String: String]: String] {
    let reply = try await TestHTTP.get("\(base)/api/v1/query?query=\(TestHTTP.urlEncode(query))&time=\(time)")
    let json = try reply.json()
    guard json["status"] as? String == "success", let data = json["data"] as? [String: Any],
          let result = data["result"] as? [[String: Any]] else {
        throw TestKitError("query \(query) at \(base) failed: \(reply.text.prefix(500))")
    }
    var out: [[String: String]: String] = [:]
    for element in result {
        let metric = element["metric"] as? [String: String] ?? [:]
        let value = (element["value"] as? [Any])?.last as? String ?? ""
        out[metric] = value
    }
    return out
}

/// Runs the instant `query` every `every` until `done` holds for its answer or `timeout` passes, and
/// returns the last answer (the caller's expectation then says what was wrong).
func pollQuery(_ base: String, _ query: String, timeout: Duration = .seconds(30), every: Duration = .milliseconds(300),
               until done: ([[String: String]: String]) -> Bool) async throws -> [[String: String]: String] {
    let deadline = ContinuousClock.now + timeout
    var answer: [[String: String]: String] = [:]
    repeat {
        try await Task.sleep(for: every)
        answer = try await instantResult(base, query, time: String(Date().timeIntervalSince1970))
    } while !done(answer) && ContinuousClock.now < deadline
    return answer
}

/// A Prometheus scrape job reading Surge's cAdvisor endpoint as kube-prometheus reads the kubelet's:
/// instance and node are the node's name, `metrics_path` kept as a label.
func kubeletScrapeJob(surgePort: Int, node: String) -> String {
    """
      - job_name: kubelet
        metrics_path: /metrics/cadvisor
        static_configs: [{targets: ['127.0.0.1:\(surgePort)'], labels: {node: \(node)}}]
        relabel_configs:
          - {target_label: instance, replacement: \(node)}
          - {source_labels: [__metrics_path__], target_label: metrics_path}
    """
}

/// Debian's VictoriaMetrics (single node) on 127.0.0.1, answering at once: its 30 s hiding of the
/// newest samples (`-search.latencyOffset`) and its result cache are off, so a query sees what was
/// just written.
func startVictoriaMetrics(port: Int, directory: TemporaryDirectory, name: String = "victoria-metrics") throws -> ChildProcess {
    guard let binary = which("victoria-metrics") else {
        throw TestKitError("the victoria-metrics binary is not installed; scripts/install-deps installs Debian's victoria-metrics package")
    }
    return try ChildProcess(
        executable: binary,
        arguments: [
            "-httpListenAddr=127.0.0.1:\(port)", "-storageDataPath=\(directory.url.appendingPathComponent(name + "-data").path)",
            "-retentionPeriod=1y", "-search.latencyOffset=0s", "-search.disableCache", "-loggerLevel=WARN",
        ],
        logURL: directory.url.appendingPathComponent(name + ".log"))
}
