import Alerting
import Foundation
import NIOSSL
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat

/// Surge posts its alerts to Debian's real Alertmanager, which groups them and calls its webhook.
@Suite(.serialized) struct AlertmanagerTests {
    @Test(.timeLimit(.minutes(2)))
    func alertmanagerReceivesSurgesAlertsAndNotifiesItsWebhook() async throws {
        guard let binary = which("prometheus-alertmanager") ?? which("alertmanager") else {
            throw TestKitError("Alertmanager is not installed; scripts/install-deps installs Debian's prometheus-alertmanager")
        }
        let dir = try TemporaryDirectory(prefix: "surge-alertmanager")
        defer { dir.remove() }
        try await WebhookCapture.with { capture, hook in
            try """
                route:
                  receiver: hook
                  group_by: [alertname]
                  group_wait: 1s
                  group_interval: 1s
                  repeat_interval: 1h
                receivers:
                  - name: hook
                    webhook_configs: [{url: "\(hook)"}]
                """.write(toFile: dir.path + "/alertmanager.yml", atomically: true, encoding: .utf8)
            let amPort = try freeLocalPort()
            let alertmanager = try ChildProcess(
                executable: binary,
                arguments: ["--config.file=\(dir.path)/alertmanager.yml", "--storage.path=\(dir.path)/am",
                            "--web.listen-address=127.0.0.1:\(amPort)", "--cluster.listen-address="],
                logURL: dir.url.appendingPathComponent("alertmanager.log"))
            defer { alertmanager.signal(SIGKILL) }
            try await TestHTTP.waitUntilReady("http://127.0.0.1:\(amPort)/-/ready", process: alertmanager)

            try "groups:\n  - name: api\n    interval: 1s\n    rules:\n      - alert: Errors\n        expr: errors > 1\n        labels: {severity: page}\n        annotations: {summary: \"{{ $value }} errors\"}\n"
                .write(toFile: dir.path + "/api.rules.yml", atomically: true, encoding: .utf8)
            try "rule_files: [api.rules.yml]\nexternal_labels: {cluster: lab}\nalerting:\n  alertmanagers:\n    - static_configs: [{targets: [\"127.0.0.1:\(amPort)\"]}]\n"
                .write(toFile: dir.path + "/surge.yml", atomically: true, encoding: .utf8)
            let port = try freeLocalPort()
            let surge = try await SurgeBinary.serve(dataDirectory: dir.path + "/data", port: port, logURL: dir.url.appendingPathComponent("surge.log"),
                                                    configPath: dir.path + "/surge.yml")
            defer { surge.signal(SIGKILL) }
            let deadline = ContinuousClock.now + .seconds(40)
            while capture.bodies.isEmpty && ContinuousClock.now < deadline {
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let batch = [RemoteWriteEncoder.WireSeries(labels: Labels(["__name__": "errors", "job": "api"]).pairs,
                                                           samples: [Sample(timestamp: now, value: 3)])]
                _ = try await TestHTTP.post("http://127.0.0.1:\(port)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: .v1),
                                            headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
                try await Task.sleep(for: .milliseconds(300))
            }
            let message = try JSONSerialization.jsonObject(with: Data((capture.bodies.first ?? "{}").utf8)) as? [String: Any] ?? [:]
            let alert = (message["alerts"] as? [[String: Any]])?.first ?? [:]
            #expect(message["status"] as? String == "firing", "\(capture.bodies)\n\(alertmanager.log.suffix(1500))\n\(surge.log.suffix(1500))")
            #expect((alert["labels"] as? [String: String]) == ["alertname": "Errors", "job": "api", "severity": "page", "cluster": "lab"])
            #expect((alert["annotations"] as? [String: String]) == ["summary": "3 errors"])
        }
    }

    /// Alertmanagers found through file_sd, reached over TLS with basic auth under a path prefix,
    /// and a webhook whose posts are signed: what each receiver got proves each part.
    @Test(.timeLimit(.minutes(2)))
    func discoveredAlertmanagersOverTLSWithCredentialsAndSignedWebhooks() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-am-discovery")
        defer { dir.remove() }
        let certificates = try TestCertificates(in: dir.path)
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKeyFile, format: .pem)))
        try await WebhookCapture.with(tls: tls) { alertmanager, amURL in
            try await WebhookCapture.with { hook, hookURL in
                let amAddress = amURL.dropFirst("https://".count).prefix { $0 != "/" }
                try "- targets: [\"\(amAddress)\"]\n".write(toFile: dir.path + "/alertmanagers.yml", atomically: true, encoding: .utf8)
                try "secret-key\n".write(toFile: dir.path + "/hook.key", atomically: true, encoding: .utf8)
                try "groups:\n  - name: api\n    interval: 1s\n    rules:\n      - alert: Errors\n        expr: errors > 1\n"
                    .write(toFile: dir.path + "/api.rules.yml", atomically: true, encoding: .utf8)
                try """
                    rule_files: [api.rules.yml]
                    alerting:
                      alertmanagers:
                        - scheme: https
                          path_prefix: /am/
                          tls_config: {ca_file: \(certificates.caFile)}
                          basic_auth: {username: surge, password: s3cret}
                          file_sd_configs: [{files: ["\(dir.path)/alertmanagers.yml"], refresh_interval: 1s}]
                      webhooks:
                        - {name: team, url: "\(hookURL)", group_wait: 1s, signing_key_file: \(dir.path)/hook.key}
                    """.write(toFile: dir.path + "/surge.yml", atomically: true, encoding: .utf8)
                let port = try freeLocalPort()
                let surge = try await SurgeBinary.serve(dataDirectory: dir.path + "/data", port: port, logURL: dir.url.appendingPathComponent("surge.log"),
                                                        configPath: dir.path + "/surge.yml")
                defer { surge.signal(SIGKILL) }
                let deadline = ContinuousClock.now + .seconds(40)
                while (alertmanager.bodies.isEmpty || hook.bodies.isEmpty) && ContinuousClock.now < deadline {
                    let now = Int64(Date().timeIntervalSince1970 * 1000)
                    let batch = [RemoteWriteEncoder.WireSeries(labels: Labels(["__name__": "errors", "job": "api"]).pairs,
                                                               samples: [Sample(timestamp: now, value: 3)])]
                    _ = try await TestHTTP.post("http://127.0.0.1:\(port)/api/v1/write", body: RemoteWriteEncoder.encode(batch, version: .v1),
                                                headers: [("Content-Type", RemoteWriteVersion.v1ContentType), ("Content-Encoding", "snappy")])
                    try await Task.sleep(for: .milliseconds(300))
                }
                #expect(alertmanager.paths.first == "/am/api/v2/alerts", "\(alertmanager.paths) \(surge.log.suffix(1500))")
                #expect(alertmanager.headers.first?["authorization"] == "Basic c3VyZ2U6czNjcmV0")
                #expect(alertmanager.bodies.first?.contains(#""alertname":"Errors""#) == true)
                let body = try #require(hook.bodies.first, "\(surge.log.suffix(1500))")
                let signature = try #require(hook.headers.first?["x-surge-signature-256"])
                #expect(WebhookSignature.verify(signature, body: Array(body.utf8), key: Array("secret-key".utf8)), "\(signature)")
            }
        }
    }
}
