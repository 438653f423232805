import Foundation
import SurgeTestKit
import Testing

/// The real `surge serve` behind TLS with client certificates and basic auth, called by curl and
/// remote-written to by Debian's Prometheus 2.42.
@Suite(.serialized) struct WebSecurityTests {
    /// Runs Debian's curl; returns its exit status and what it printed.
    static func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let binary = which("curl") else { throw TestKitError("curl is not installed; scripts/install-deps installs it") }
        return try runToCompletion(binary, ["--silent", "--show-error", "--max-time", "20"] + arguments)
    }

    @Test(.timeLimit(.minutes(3)))
    func prometheusRemoteWritesIntoTLSAndBasicAuth() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-tls")
        defer { dir.remove() }
        let certificates = try TestCertificates(in: dir.path)
        let prometheusHash = try Htpasswd.hash(user: "prometheus", password: "remote-write-secret")
        let readerHash = try Htpasswd.hash(user: "reader", password: "reader-secret")
        try """
            tls_server_config:
              cert_file: \(certificates.serverCertFile)
              key_file: \(certificates.serverKeyFile)
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: \(certificates.caFile)
            basic_auth_users:
              prometheus: \(prometheusHash)
              reader: \(readerHash)
            permissions:
              prometheus: [write]
              reader: [read]
            """.write(toFile: dir.path + "/web.yml", atomically: true, encoding: .utf8)
        try "remote-write-secret\n".write(toFile: dir.path + "/password", atomically: true, encoding: .utf8)
        let surgePort = try freeLocalPort()
        let base = "https://127.0.0.1:\(surgePort)"
        let surge = try ChildProcess(
            executable: try SurgeBinary.path(),
            arguments: ["serve", "--no-collect", "--data-dir", dir.path + "/data", "--listen", "127.0.0.1:\(surgePort)",
                        "--web.config.file", dir.path + "/web.yml"],
            logURL: dir.url.appendingPathComponent("surge.log"))
        defer { surge.signal(SIGKILL) }
        let trusted = ["--cacert", certificates.caFile, "--cert", certificates.clientCertFile, "--key", certificates.clientKeyFile]
        let reader = ["--user", "reader:reader-secret"]
        var ready = false
        for _ in 0..<300 where !ready {
            ready = (try? Self.curl(trusted + ["--fail", base + "/-/ready"]))?.status == 0
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready, "surge did not become ready:\n\(surge.log.suffix(2000))")

        // Plain HTTP, no client certificate, and a certificate from an untrusted authority all fail
        // before any request is read.
        let plain = try Self.curl(reader + ["http://127.0.0.1:\(surgePort)/api/v1/labels"])
        #expect(plain.status != 0 || !plain.output.contains("success"), "\(plain)")
        let noCertificate = try Self.curl(["--cacert", certificates.caFile] + reader + [base + "/api/v1/labels"])
        #expect(noCertificate.status != 0, "\(noCertificate)")
        let stranger = try Self.curl(["--cacert", certificates.caFile, "--cert", certificates.strangerCertFile, "--key", certificates.strangerKeyFile]
                                     + reader + [base + "/api/v1/labels"])
        #expect(stranger.status != 0, "\(stranger)")
        // A trusted certificate still needs the password, and the password its permission.
        let status = ["--output", "/dev/null", "--write-out", "%{http_code}"]
        #expect(try Self.curl(trusted + status + [base + "/api/v1/labels"]).output == "401")
        #expect(try Self.curl(trusted + status + ["--user", "reader:wrong"] + [base + "/api/v1/labels"]).output == "401")
        #expect(try Self.curl(trusted + status + ["--user", "prometheus:remote-write-secret"] + [base + "/api/v1/labels"]).output == "403")
        #expect(try Self.curl(trusted + status + reader + ["--data-binary", "x", base + "/api/v1/write"]).output == "403")
        #expect(try Self.curl(trusted + status + reader + [base + "/api/v1/labels"]).output == "200")

        // Prometheus scrapes itself and remote-writes over TLS with its client certificate and password.
        let promPort = try freeLocalPort()
        let config = """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: prometheus
                static_configs:
                  - targets: ['127.0.0.1:\(promPort)']
            remote_write:
              - url: \(base)/api/v1/write
                basic_auth:
                  username: prometheus
                  password_file: \(dir.path)/password
                tls_config:
                  ca_file: \(certificates.caFile)
                  cert_file: \(certificates.clientCertFile)
                  key_file: \(certificates.clientKeyFile)
                queue_config:
                  batch_send_deadline: 1s
                  min_backoff: 100ms
                  max_backoff: 1s
            """
        try config.write(toFile: dir.path + "/prometheus.yml", atomically: true, encoding: .utf8)
        guard let binary = which("prometheus") else { throw TestKitError("the prometheus binary is not installed") }
        let prometheus = try ChildProcess(
            executable: binary,
            arguments: ["--config.file=\(dir.path)/prometheus.yml", "--storage.tsdb.path=\(dir.path)/prometheus-data",
                        "--web.listen-address=127.0.0.1:\(promPort)"],
            logURL: dir.url.appendingPathComponent("prometheus.log"))
        defer { prometheus.signal(SIGKILL) }
        var answer = ""
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            answer = try Self.curl(trusted + reader + [base + "/api/v1/query?query=" + TestHTTP.urlEncode(#"up{job="prometheus"}"#)]).output
            if answer.contains(#""value":["#) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(answer.contains(#""job":"prometheus""#) && answer.contains(#""value":["#),
                "Prometheus' samples did not arrive: \(answer)\n\(prometheus.log.suffix(2000))\n\(surge.log.suffix(2000))")
        // Prometheus logs a refused write as "server returned HTTP status 401 Unauthorized"; a bare
        // "403" also turns up in its log's timestamps (…:03.403Z).
        #expect(!prometheus.log.contains("HTTP status 401") && !prometheus.log.contains("HTTP status 403"), "\(prometheus.log.suffix(2000))")

        // The command line takes promtool's --http.config.file, relative paths read beside it.
        try """
            basic_auth: {username: reader, password_file: reader.password}
            tls_config: {ca_file: ca.crt, cert_file: client.crt, key_file: client.key}
            """.write(toFile: dir.path + "/reader-http.yml", atomically: true, encoding: .utf8)
        try "reader-secret\n".write(toFile: dir.path + "/reader.password", atomically: true, encoding: .utf8)
        try """
            basic_auth: {username: prometheus, password_file: password}
            tls_config: {ca_file: ca.crt, cert_file: client.crt, key_file: client.key}
            """.write(toFile: dir.path + "/writer-http.yml", atomically: true, encoding: .utf8)
        let bench = try await SurgeBinary.run(["bench", "remote-write", "--url", base + "/api/v1/write", "--http.config.file", dir.path + "/writer-http.yml",
                                               "--series", "20", "--duration", "1m", "--interval", "15s", "--json"])
        #expect(bench.status == 0 && bench.output.contains(#""samples_sent":80"#), "\(bench.output)")
        let query = try await SurgeBinary.run(["query", "--server", base, "--http.config.file", dir.path + "/reader-http.yml", "count(up)"])
        #expect(query.status == 0 && query.output.contains("1"), "\(query.output)")
        let wrongUser = try await SurgeBinary.run(["query", "--server", base, "--http.config.file", dir.path + "/writer-http.yml", "count(up)"])
        #expect(wrongUser.status != 0 && wrongUser.output.contains("403"), "\(wrongUser.output)")
        let withoutCredentials = try await SurgeBinary.run(["query", "--server", base, "count(up)"])
        #expect(withoutCredentials.status != 0, "\(withoutCredentials.output)")
        #expect(!surge.log.contains("reader-secret") && !surge.log.contains("remote-write-secret"))
    }

    /// A page on another site whose name resolves to 127.0.0.1 (DNS rebinding) reaches the server
    /// with its own name in `Host`; admin routes refuse it, and the names the server is known by pass.
    @Test(.timeLimit(.minutes(2)))
    func adminRoutesRefuseForeignHostNames() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-host")
        defer { dir.remove() }
        try "web:\n  allowed_hosts: [surge.monitoring.svc]\n".write(toFile: dir.path + "/surge.yml", atomically: true, encoding: .utf8)
        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: dir.path + "/data", port: port, logURL: dir.url.appendingPathComponent("surge.log"),
                                                configPath: dir.path + "/surge.yml", arguments: ["--web.enable-admin-api"])
        defer { surge.signal(SIGKILL) }
        for (host, expected) in [("rebind.evil.example:\(port)", "403"), ("127.0.0.1:\(port)", "200"), ("localhost:\(port)", "200"),
                                 ("surge.monitoring.svc:\(port)", "200")] {
            let connection = try RawConnection(port: port)
            defer { connection.close() }
            connection.send("POST /api/v1/admin/tsdb/flush HTTP/1.1\r\nHost: \(host)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            let reply = await connection.receive(until: "\r\n\r\n")
            #expect(reply.text.hasPrefix("HTTP/1.1 \(expected)"), "\(host): \(reply.text.prefix(200))")
        }
        // Queries are not admin routes: a cluster name for the server needs no listing to be read.
        let connection = try RawConnection(port: port)
        defer { connection.close() }
        connection.send("GET /api/v1/labels HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n")
        #expect(await connection.receive(until: "\r\n\r\n").text.hasPrefix("HTTP/1.1 200"))
    }
}
