import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat

/// The same rule file loaded into `surge serve` and Debian's Prometheus 2.42, the same samples
/// remote-written into both: recording rules' outputs, `ALERTS` and `ALERTS_FOR_STATE` agree
/// sample for sample over the run. The samples are written ahead of time, all at once, so each
/// round sees the same data in both whenever it runs; groups evaluate at the same instants in
/// both because Surge takes Prometheus' per-group offset.
@Suite(.serialized) struct RuleEvaluationDifferentialTests {
    static let rules = """
        groups:
          - name: requests
            interval: 1s
            rules:
              - record: job:requests:rate5s
                expr: sum by (job) (rate(requests_total[5s]))
              - record: instance:errors:ratio
                expr: sum by (job, instance) (rate(errors_total[5s])) / sum by (job, instance) (rate(requests_total[5s]))
              - record: job:latency_seconds:max
                expr: max by (job) (latency_seconds)
              - record: job:requests:count
                expr: count by (job) (requests_total)
              - alert: HighErrorRatio
                expr: instance:errors:ratio > 0.1
                for: 3s
                labels: {severity: page}
                annotations: {summary: "{{ $labels.instance }} fails {{ $value | humanizePercentage }}"}
              - alert: SlowJob
                expr: job:latency_seconds:max > 0.5
                keep_firing_for: 2s
                labels: {severity: '{{ if gt $value 0.8 }}page{{ else }}ticket{{ end }}'}
              - alert: Instances
                expr: job:requests:count < 3
          - name: derived
            interval: 2s
            rules:
              - record: job:requests:rate5s:doubled
                expr: job:requests:rate5s * 2
              - alert: AnyRequests
                expr: sum(job:requests:rate5s) > 0
                for: 4s
        """

    /// `steps` seconds of samples from `start`: three instances of requests and errors (one
    /// instance fails for a while, one goes away), and a latency that rises and falls.
    static func samples(start: Int64, steps: Int) -> [RemoteWriteEncoder.WireSeries] {
        var out: [RemoteWriteEncoder.WireSeries] = []
        for instance in ["a", "b", "c"] {
            var requests: [Sample] = [], errors: [Sample] = []
            var total = 0.0, failed = 0.0
            for step in 0..<steps {
                // Instance c goes away at 18 s, with staleness markers as a scrape would write.
                if instance == "c" && step == 18 {
                    requests.append(Sample(timestamp: start + Int64(step) * 1000, value: StaleNaN.value))
                    errors.append(Sample(timestamp: start + Int64(step) * 1000, value: StaleNaN.value))
                    break
                }
                total += 10
                if instance == "b" && (6..<16).contains(step) { failed += 3 } else if step % 4 == 0 { failed += 0.5 }
                requests.append(Sample(timestamp: start + Int64(step) * 1000, value: total))
                errors.append(Sample(timestamp: start + Int64(step) * 1000, value: failed))
            }
            out.append(.init(labels: Labels(["__name__": "requests_total", "job": "api", "instance": instance]).pairs, samples: requests))
            out.append(.init(labels: Labels(["__name__": "errors_total", "job": "api", "instance": instance]).pairs, samples: errors))
        }
        let latency = (0..<steps).map { step in
            Sample(timestamp: start + Int64(step) * 1000, value: [0.2, 0.3, 0.6, 0.9, 0.9, 0.7, 0.4, 0.2][step / 4 % 8])
        }
        out.append(.init(labels: Labels(["__name__": "latency_seconds", "job": "api"]).pairs, samples: latency))
        return out
    }

    @Test(.timeLimit(.minutes(2)))
    func recordingsAndAlertsAgreeWithPrometheus() async throws {
        guard let prometheusBinary = which("prometheus") else {
            throw TestKitError("the prometheus binary is not installed; scripts/install-deps installs Debian's prometheus package")
        }
        let dir = try TemporaryDirectory(prefix: "surge-rule-diff")
        defer { dir.remove() }
        let ruleFile = dir.path + "/diff.rules.yml"
        try Self.rules.write(toFile: ruleFile, atomically: true, encoding: .utf8)
        try "rule_files: [\"\(ruleFile)\"]\nrules:\n  evaluation_interval: 1s\n".write(toFile: dir.path + "/surge.yml", atomically: true, encoding: .utf8)
        try "global:\n  evaluation_interval: 1s\nrule_files: [\"\(ruleFile)\"]\n".write(toFile: dir.path + "/prometheus.yml", atomically: true, encoding: .utf8)

        let promPort = try freeLocalPort()
        let prometheus = try ChildProcess(executable: prometheusBinary, arguments: [
            "--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(dir.path)/prometheus-data",
            "--web.listen-address=127.0.0.1:\(promPort)", "--web.enable-remote-write-receiver",
        ], logURL: dir.url.appendingPathComponent("prometheus.log"))
        defer { prometheus.signal(SIGKILL) }
        let surgePort = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: dir.path + "/surge-data", port: surgePort,
                                                logURL: dir.url.appendingPathComponent("surge.log"), configPath: dir.path + "/surge.yml")
        defer { surge.signal(SIGKILL) }
        let promURL = "http://127.0.0.1:\(promPort)", surgeURL = "http://127.0.0.1:\(surgePort)"
        try await TestHTTP.waitUntilReady("\(promURL)/-/ready", process: prometheus)

        // Every sample of the run, from three seconds ahead, written at once to both.
        let steps = 30
        let start = (Int64(Date().timeIntervalSince1970) + 3) * 1000
        let body = RemoteWriteEncoder.encode(Self.samples(start: start, steps: steps), version: .v1)
        for base in [promURL, surgeURL] {
            let reply = try await TestHTTP.post("\(base)/api/v1/write", body: body,
                                                headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
            #expect(reply.status == 204, "\(base): \(reply.text)")
        }
        // The run, and a few rounds after it for what ends with it.
        let end = start + Int64(steps + 6) * 1000
        while Int64(Date().timeIntervalSince1970 * 1000) < end + 1500 { try await Task.sleep(for: .milliseconds(250)) }

        let selector = #"{__name__=~"job:.+|instance:.+|ALERTS|ALERTS_FOR_STATE"}[60s]"#
        let fromPrometheus = try await Self.rawSamples(promURL, selector, at: end)
        let fromSurge = try await Self.rawSamples(surgeURL, selector, at: end)
        let window = start...end
        func inWindow(_ all: [[String: String]: [Int64: String]]) -> [[String: String]: [Int64: String]] {
            all.mapValues { $0.filter { window.contains($0.key) } }.filter { !$0.value.isEmpty }
        }
        let expected = inWindow(fromPrometheus), got = inWindow(fromSurge)
        #expect(Set(got.keys) == Set(expected.keys),
                "series only in Prometheus: \(Set(expected.keys).subtracting(got.keys)); only in Surge: \(Set(got.keys).subtracting(expected.keys))")
        // Every alert state the run should reach was reached.
        let states = Set(expected.keys.filter { $0["__name__"] == "ALERTS" }.map { "\($0["alertname"]!)/\($0["alertstate"]!)" })
        #expect(states.isSuperset(of: ["HighErrorRatio/pending", "HighErrorRatio/firing", "SlowJob/firing", "Instances/firing", "AnyRequests/firing"]),
                "\(states)")
        var compared = 0, differing: [String] = []
        for (labels, reference) in expected.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            let mine = got[labels] ?? [:]
            // A round one of the two skipped (a busy machine) is left out, not counted as agreement.
            let common = Set(reference.keys).intersection(mine.keys)
            compared += common.count
            for time in common.sorted() where reference[time] != mine[time] {
                differing.append("\(labels) at \(time - start) ms: Prometheus \(reference[time]!), Surge \(mine[time]!)")
            }
            // The same instants: Surge's groups run at Prometheus' offsets.
            #expect(common.count * 10 >= max(reference.count, mine.count) * 9,
                    "\(labels): Prometheus at \(reference.keys.sorted().map { $0 - start }), Surge at \(mine.keys.sorted().map { $0 - start })")
        }
        #expect(differing.isEmpty, "\(differing.prefix(20).joined(separator: "\n"))")
        #expect(compared >= 150, "only \(compared) samples compared")
        print("rule evaluation differential: \(expected.count) series, \(compared) samples compared, \(differing.count) differing")
    }

    /// Every sample of every series the range selector finds, by labels and time.
    static func rawSamples(_ base: String, _ selector: String, at time: Int64) async throws -> [[String: String]: [Int64: String]] {
        let reply = try await TestHTTP.get("\(base)/api/v1/query?query=\(TestHTTP.urlEncode(selector))&time=\(Double(time) / 1000)")
        let json = try reply.json()
        guard json["status"] as? String == "success", let data = json["data"] as? [String: Any],
              let result = data["result"] as? [[String: Any]] else {
            throw TestKitError("query \(selector) at \(base) failed: \(reply.text.prefix(500))")
        }
        var out: [[String: String]: [Int64: String]] = [:]
        for series in result {
            let metric = series["metric"] as? [String: String] ?? [:]
            for pair in series["values"] as? [[Any]] ?? [] {
                guard let seconds = pair.first as? Double, let value = pair.last as? String else { continue }
                out[metric, default: [:]][Int64((seconds * 1000).rounded())] = value
            }
        }
        return out
    }
}
