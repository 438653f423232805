import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat

/// `surge serve` with a rule file: recording rules write back, alerting rules go pending and fire
/// with their ALERTS series, and /api/v1/rules and /api/v1/alerts show them in Prometheus' shapes.
@Suite(.serialized) struct RulesServeTests {
    @Test(.timeLimit(.minutes(2)))
    func rulesEvaluateWriteBackAndShowInTheAPI() async throws {
        // The webhook refuses the first two posts, as a receiver that is down for a while.
        try await WebhookCapture.with(failFirst: 2) { capture, hook in try await Self.run(hook: hook, capture: capture) }
    }

    static func run(hook: String, capture: WebhookCapture) async throws {
        let dir = try TemporaryDirectory(prefix: "surge-rules")
        defer { dir.remove() }
        try """
            groups:
              - name: api
                interval: 1s
                rules:
                  - record: job:requests:sum
                    expr: sum by (job) (requests_total)
                  - alert: TooManyRequests
                    expr: job:requests:sum > 10
                    for: 2s
                    labels: {severity: page}
                    annotations: {summary: "too many", where: "{{ $externalLabels.cluster }} {{ $labels.job }} {{ $value | humanize }}"}
                  - record: broken
                    expr: requests_total + on(job) requests_total
            """.write(toFile: dir.path + "/api.rules.yml", atomically: true, encoding: .utf8)
        try "rule_files: [\"*.rules.yml\"]\nexternal_labels: {cluster: lab}\nexternal_url: http://surge.lab:9470\nalerting:\n  webhooks:\n    - {name: team, url: \"\(hook)\", group_by: [alertname], group_wait: 1s, group_interval: 2s, authorization: {credentials: hook-secret}}\n".write(toFile: dir.path + "/surge.yml", atomically: true, encoding: .utf8)
        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: dir.path + "/data", port: port, logURL: dir.url.appendingPathComponent("surge.log"),
                                                configPath: dir.path + "/surge.yml")
        defer { surge.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)"
        // Samples every second for the instances of one job, until the alert fires.
        var firing = false
        let deadline = ContinuousClock.now + .seconds(40)
        var rules = ""
        while !firing && ContinuousClock.now < deadline {
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let batch = (0..<3).map { pod in
                RemoteWriteEncoder.WireSeries(labels: Labels(["__name__": "requests_total", "job": "api", "pod": "p\(pod)"]).pairs,
                                              samples: [Sample(timestamp: now, value: 5)])
            }
            let reply = try await TestHTTP.post("\(base)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: .v1),
                                                headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
            #expect(reply.status == 204)
            rules = try await TestHTTP.get("\(base)/api/v1/rules").text
            firing = rules.contains(#""state":"firing""#)
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(firing, "the alert did not fire:\n\(rules)\n\(surge.log.suffix(2000))")
        let recorded = try await instantResult(base, "job:requests:sum", time: String(Date().timeIntervalSince1970))
        #expect(recorded == [["__name__": "job:requests:sum", "job": "api"]: "15"])
        let alertsSeries = try await instantResult(base, "ALERTS", time: String(Date().timeIntervalSince1970))
        #expect(alertsSeries.keys.contains(["__name__": "ALERTS", "alertname": "TooManyRequests", "alertstate": "firing", "job": "api", "severity": "page"]))
        let alerts = try await TestHTTP.get("\(base)/api/v1/alerts").json()
        let list = ((alerts["data"] as? [String: Any])?["alerts"] as? [[String: Any]]) ?? []
        #expect(list.count == 1 && list.first?["state"] as? String == "firing" && list.first?["value"] as? String == "1.5e+01")
        #expect((list.first?["annotations"] as? [String: String]) == ["summary": "too many", "where": "lab api 15"])
        // The failing rule is reported with its error; the others keep working.
        #expect(rules.contains(#""health":"err""#) && rules.contains("many-to-many"), "\(rules)")
        let metrics = try await TestHTTP.get("\(base)/metrics").text
        let group = "rule_group=\"\(dir.path)/api.rules.yml;api\""
        #expect(metrics.contains("surge_rule_group_rules{\(group)} 3"), "\(metrics.split(separator: "\n").filter { $0.contains("surge_rule") })")
        #expect(metrics.contains("surge_rule_evaluation_failures_total{\(group)}") && !metrics.contains("surge_rule_evaluation_failures_total{\(group)} 0"))
        let recordingOnly = try await TestHTTP.get("\(base)/api/v1/rules?type=record").text
        #expect(!recordingOnly.contains("TooManyRequests") && recordingOnly.contains("job:requests:sum"))

        // The webhook got the firing alert once, after its two refusals, in Alertmanager's message.
        let delivered = ContinuousClock.now + .seconds(20)
        while capture.bodies.isEmpty && ContinuousClock.now < delivered { try await Task.sleep(for: .milliseconds(200)) }
        try await Task.sleep(for: .seconds(3))
        #expect(capture.bodies.count == 1 && capture.requests == 3, "\(capture.requests) requests: \(capture.bodies)\n\(surge.log.suffix(2000))")
        let message = try JSONSerialization.jsonObject(with: Data((capture.bodies.first ?? "{}").utf8)) as? [String: Any] ?? [:]
        #expect(message["status"] as? String == "firing" && message["version"] as? String == "4" && message["receiver"] as? String == "team")
        let alert = (message["alerts"] as? [[String: Any]])?.first ?? [:]
        #expect((alert["labels"] as? [String: String]) == ["alertname": "TooManyRequests", "job": "api", "severity": "page", "cluster": "lab"])
        #expect(alert["generatorURL"] as? String == "http://surge.lab:9470/graph?g0.expr=job%3Arequests%3Asum+%3E+10&g0.tab=1")
        #expect(message["groupKey"] as? String == #"{}:{alertname="TooManyRequests"}"#)
        #expect(capture.headers.first?["authorization"] == "Bearer hook-secret")
    }
}

/// A notification queued for a webhook that is down survives SIGKILL, is delivered after the
/// restart, and is not sent a second time by the restarted rules.
@Suite(.serialized) struct NotificationDurabilityTests {
    static func write(_ base: String) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let batch = [RemoteWriteEncoder.WireSeries(labels: Labels(["__name__": "errors", "job": "api"]).pairs, samples: [Sample(timestamp: now, value: 3)])]
        _ = try await TestHTTP.post("\(base)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: .v1),
                                    headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
    }

    static func configure(_ dir: TemporaryDirectory, hook: String) throws {
        try "groups:\n  - name: api\n    interval: 1s\n    rules:\n      - alert: Errors\n        expr: errors > 1\n"
            .write(toFile: dir.path + "/api.rules.yml", atomically: true, encoding: .utf8)
        try "rule_files: [api.rules.yml]\nalerting:\n  webhooks:\n    - {name: team, url: \"\(hook)\", group_by: [alertname], group_wait: 1s, group_interval: 1s}\n"
            .write(toFile: dir.path + "/surge.yml", atomically: true, encoding: .utf8)
    }

    @Test(.timeLimit(.minutes(2)))
    func aQueuedNotificationSurvivesSIGKILLAndIsSentOnce() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-notify")
        defer { dir.remove() }
        let port = try freeLocalPort()
        let base = "http://127.0.0.1:\(port)"
        func serve() async throws -> ChildProcess {
            try await SurgeBinary.serve(dataDirectory: dir.path + "/data", port: port, logURL: dir.url.appendingPathComponent("surge.log"),
                                        configPath: dir.path + "/surge.yml")
        }
        // The receiver is down: the firing notification is tried and stays queued; then SIGKILL.
        try await WebhookCapture.with(failFirst: 1_000_000) { down, hook in
            try Self.configure(dir, hook: hook)
            let surge = try await serve()
            defer { surge.signal(SIGKILL) }
            let deadline = ContinuousClock.now + .seconds(30)
            while down.requests == 0 && ContinuousClock.now < deadline {
                try await Self.write(base)
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(down.requests > 0, "no notification was tried:\n\(surge.log.suffix(2000))")
            surge.signal(SIGKILL)
            _ = await surge.stop()
        }
        let queue = dir.path + "/data/notifications/team/queue"
        #expect(try FileManager.default.contentsOfDirectory(atPath: queue).filter { $0.hasSuffix(".json") }.count == 1)
        // Back with a receiver that is up: the queued message arrives once, and the alert, firing
        // again after the restart, is not notified a second time.
        try await WebhookCapture.with { up, hook in
            try Self.configure(dir, hook: hook)
            let surge = try await serve()
            defer { surge.signal(SIGKILL) }
            for _ in 0..<20 {
                try await Self.write(base)
                try await Task.sleep(for: .milliseconds(300))
            }
            let rules = try await TestHTTP.get("\(base)/api/v1/rules").text
            #expect(rules.contains(#""state":"firing""#), "\(rules)")
            #expect(up.bodies.count == 1, "\(up.bodies)\n\(surge.log.suffix(2000))")
            #expect(up.bodies.first?.contains(#""alertname":"Errors""#) == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: queue).filter { $0.hasSuffix(".json") }.isEmpty)
        }
    }
}

/// `POST /-/reload` re-reads rule files as SIGHUP does, when the lifecycle API is enabled.
@Suite(.serialized) struct ReloadRouteTests {
    @Test(.timeLimit(.minutes(2)))
    func reloadAnswersWhetherTheFilesLoaded() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-reload")
        defer { dir.remove() }
        let rules = dir.path + "/api.rules.yml"
        try "groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: up\n".write(toFile: rules, atomically: true, encoding: .utf8)
        try "rule_files: [api.rules.yml]\n".write(toFile: dir.path + "/surge.yml", atomically: true, encoding: .utf8)
        for lifecycle in [false, true] {
            let port = try freeLocalPort()
            let surge = try await SurgeBinary.serve(dataDirectory: dir.path + "/data-\(lifecycle)", port: port,
                                                    logURL: dir.url.appendingPathComponent("surge-\(lifecycle).log"), configPath: dir.path + "/surge.yml",
                                                    arguments: lifecycle ? ["--web.enable-lifecycle"] : [])
            defer { surge.signal(SIGKILL) }
            let base = "http://127.0.0.1:\(port)"
            guard lifecycle else {
                let refused = try await TestHTTP.post("\(base)/-/reload", body: [], headers: [])
                #expect(refused.status == 403 && refused.text == "Lifecycle API is not enabled.\n")
                continue
            }
            try "groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: up\n      - record: c:d\n        expr: up\n"
                .write(toFile: rules, atomically: true, encoding: .utf8)
            let reloaded = try await TestHTTP.post("\(base)/-/reload", body: [], headers: [])
            #expect(reloaded.status == 200, "\(reloaded.text)")
            #expect(try await TestHTTP.get("\(base)/api/v1/rules").text.contains("c:d"))
            try "groups:\n  - name: api\n    rules:\n      - record: a:b\n        expr: sum(\n".write(toFile: rules, atomically: true, encoding: .utf8)
            let broken = try await TestHTTP.post("\(base)/-/reload", body: [], headers: [])
            #expect(broken.status == 500 && broken.text.contains("api.rules.yml:5") && broken.text.hasPrefix("failed to reload config: rules: "),
                    "\(broken.text)")
            // The running rules stay.
            #expect(try await TestHTTP.get("\(base)/api/v1/rules").text.contains("c:d"))
        }
    }
}
