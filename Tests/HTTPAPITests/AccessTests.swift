import App
import Foundation
import HTTPAPI
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import SurgeTestKit
import Testing
import YAMLFiles

/// Who may call which route: credentials from a web configuration file with htpasswd's bcrypt
/// hashes and token files, permissions per identity, admin routes only when enabled.
@Suite struct AccessTests {
    /// The users and tokens of `webConfig`, with their secrets.
    static let users = [("reader", "reader-secret"), ("writer", "writer-secret"), ("operator", "operator-secret")]
    static let agentToken = "agent-token-0123456789abcdef"

    /// A web configuration: reader may read, writer may write, operator may do everything, and
    /// the agent token may write.
    static func webConfig(in dir: TemporaryDirectory, extra: String = "") throws -> String {
        try agentToken.write(toFile: dir.path + "/agent.token", atomically: true, encoding: .utf8)
        let hashes = try users.map { ($0.0, try Htpasswd.hash(user: $0.0, password: $0.1)) }
        let text = """
            basic_auth_users:
            \(hashes.map { "  \($0.0): \($0.1)" }.joined(separator: "\n"))
            bearer_tokens:
              agent: agent.token
            permissions:
              reader: [read]
              writer: [write]
              operator: [read, write, admin]
              agent: [write]
            http_server_config:
              headers:
                X-Frame-Options: deny
                X-Content-Type-Options: nosniff
            \(extra)
            """
        let path = dir.path + "/web.yml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    enum Caller: String, CaseIterable {
        case nobody, wrongPassword, unknownUser, reader, writer, `operator`, agent, wrongToken

        var authorization: String? {
            switch self {
            case .nobody: nil
            case .wrongPassword: AccessTests.basic("operator", "reader-secret")
            case .unknownUser: AccessTests.basic("mallory", "operator-secret")
            case .reader: AccessTests.basic("reader", "reader-secret")
            case .writer: AccessTests.basic("writer", "writer-secret")
            case .operator: AccessTests.basic("operator", "operator-secret")
            case .agent: "Bearer " + AccessTests.agentToken
            case .wrongToken: "Bearer agent-token-0123456789abcdeF"
            }
        }

        var permissions: Set<Permission>? {
            switch self {
            case .nobody, .wrongPassword, .unknownUser, .wrongToken: nil
            case .reader: [.read]
            case .writer, .agent: [.write]
            case .operator: [.read, .write, .admin]
            }
        }
    }

    /// Every route with the permission it needs.
    static let routes: [(method: HTTPRequest.Method, uri: String, needs: Permission?)] = [
        (.get, "/api/v1/query?query=up", .read),
        (.post, "/api/v1/query_range?query=up&start=1&end=2&step=1", .read),
        (.get, "/api/v1/series?match[]=up", .read),
        (.get, "/api/v1/labels", .read),
        (.get, "/api/v1/label/job/values", .read),
        (.get, "/api/v1/query_exemplars?query=up", .read),
        (.get, "/api/v1/targets", .read),
        (.get, "/api/v1/metadata", .read),
        (.get, "/api/v1/status/buildinfo", .read),
        (.get, "/api/v1/status/tsdb", .read),
        (.get, "/api/v1/scaling/decisions", .read),
        (.get, "/metrics", .read),
        (.get, "/no/such/route", .read),
        (.post, "/api/v1/write", .write),
        (.post, "/api/v1/admin/tsdb/flush", .admin),
        (.get, "/-/healthy", nil),
        (.get, "/-/ready", nil),
    ]

    @Test(arguments: Caller.allCases)
    func everyRouteAnswersByPermission(caller: Caller) async throws {
        let dir = try TemporaryDirectory(prefix: "surge-access")
        defer { dir.remove() }
        let file = try Self.webConfig(in: dir)
        try await withSurge(configure: { $0.webConfigFile = file; $0.enableAdminAPI = true }) { client in
            for route in Self.routes {
                var headers: HTTPFields = [:]
                if let authorization = caller.authorization { headers[.authorization] = authorization }
                let response = try await client.execute(uri: route.uri, method: route.method, headers: headers)
                let status = response.status.code
                let what = "\(caller) \(route.method) \(route.uri): \(status) \(String(buffer: response.body).prefix(200))"
                guard let needed = route.needs else {
                    #expect(status == 200, "\(what)")
                    continue
                }
                switch caller.permissions {
                case nil:
                    #expect(status == 401, "\(what)")
                    #expect(response.headers[.wwwAuthenticate] == "Basic", "\(what)")
                case let granted? where !granted.contains(needed):
                    #expect(status == 403, "\(what)")
                    #expect(String(buffer: response.body).contains("may not \(needed.rawValue)"), "\(what)")
                default:
                    #expect(status != 401 && status != 403, "\(what)")
                }
                // Refusals carry the configured headers too.
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "deny", "\(what)")
            }
        }
    }

    @Test func adminRoutesAreOffUnlessEnabled() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-access")
        defer { dir.remove() }
        let file = try Self.webConfig(in: dir)
        try await withSurge(configure: { $0.webConfigFile = file }) { client in
            let response = try await client.execute(uri: "/api/v1/admin/tsdb/flush", method: .post,
                                                    headers: [.authorization: Caller.operator.authorization!])
            #expect(response.status == .serviceUnavailable)
            #expect(String(buffer: response.body) == #"{"status":"error","errorType":"unavailable","error":"admin APIs disabled"}"#)
        }
        // Without a web configuration everyone may read and write, and admin still needs enabling.
        try await withSurge { client in
            let labels = try await client.get("/api/v1/labels")
            #expect(labels.status == .ok)
            let write = try await client.write([series(["__name__": "m"], [(1_700_000_000_000, 1)])])
            #expect(write.status == .noContent)
            let flush = try await client.execute(uri: "/api/v1/admin/tsdb/flush", method: .post)
            #expect(flush.status == .serviceUnavailable)
        }
        try await withSurge(configure: { $0.enableAdminAPI = true }) { client in
            let flush = try await client.execute(uri: "/api/v1/admin/tsdb/flush", method: .post)
            #expect(flush.status == .ok)
        }
    }

    @Test func crossSiteWritesAndFlushesAreRefused() async throws {
        try await withSurge(configure: { $0.enableAdminAPI = true }) { client in
            let crossSite: [HTTPFields] = [
                [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"],
                [HTTPField.Name("Sec-Fetch-Site")!: "same-site"],
                [HTTPField.Name("Origin")!: "http://evil.example"],
                [HTTPField.Name("Origin")!: "null"],
            ]
            for headers in crossSite {
                let flush = try await client.execute(uri: "/api/v1/admin/tsdb/flush", method: .post, headers: headers)
                #expect(flush.status == .forbidden, "\(headers)")
                var writeHeaders = headers
                writeHeaders[.contentType] = "application/x-protobuf"
                writeHeaders[.contentEncoding] = "snappy"
                let write = try await client.execute(uri: "/api/v1/write", method: .post, headers: writeHeaders, body: ByteBuffer())
                #expect(write.status == .forbidden, "\(headers)")
                // Reading is not refused: a browser does not show another site the answer.
                #expect(try await client.execute(uri: "/api/v1/labels", method: .get, headers: headers).status == .ok)
            }
            let sameOrigin = try await client.execute(uri: "/api/v1/admin/tsdb/flush", method: .post,
                                                      headers: [HTTPField.Name("Sec-Fetch-Site")!: "same-origin"])
            #expect(sameOrigin.status == .ok)
        }
    }

    @Test func aChangedFileTakesEffectAndABrokenOneLeavesTheRunningOne() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-access")
        defer { dir.remove() }
        let file = try Self.webConfig(in: dir)
        let entries = SharedValue<[RecordingLogHandler.Entry]>([])
        try await withSurge(configure: { $0.webConfigFile = file }, logger: RecordingLogHandler.logger(into: entries)) { client in
            let newcomer = Self.basic("newcomer", "newcomer-secret")
            #expect(try await client.execute(uri: "/api/v1/labels", method: .get, headers: [.authorization: newcomer]).status == .unauthorized)
            let hash = try Htpasswd.hash(user: "newcomer", password: "newcomer-secret")
            let text = try String(contentsOfFile: file, encoding: .utf8)
                .replacingOccurrences(of: "basic_auth_users:\n", with: "basic_auth_users:\n  newcomer: \(hash)\n")
                .replacingOccurrences(of: "permissions:\n", with: "permissions:\n  newcomer: [read]\n")
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await client.execute(uri: "/api/v1/labels", method: .get, headers: [.authorization: newcomer]).status == .ok)

            // A revoked token stops working when its file changes.
            try "rotated-token-0123456789abcdef".write(toFile: dir.path + "/agent.token", atomically: true, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(1100))
            let old = try await client.execute(uri: "/api/v1/write", method: .post, headers: [.authorization: Caller.agent.authorization!])
            #expect(old.status == .unauthorized)

            // A plain-text password is a mistake: the running configuration stays.
            try text.replacingOccurrences(of: hash, with: "newcomer-secret").write(toFile: file, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await client.execute(uri: "/api/v1/labels", method: .get, headers: [.authorization: newcomer]).status == .ok)
        }
        let log = entries.value.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(log.contains("web configuration reloaded"))
        #expect(log.contains("web configuration not reloaded; the running one stays"))
        #expect(log.contains("web.yml:"), "the error names the file and line:\n\(log)")
        for secret in Self.users.map(\.1) + ["newcomer-secret", Self.agentToken, "rotated-token-0123456789abcdef"] {
            #expect(!log.contains(secret), "a secret reached the log:\n\(log)")
        }
    }

    @Test(arguments: [
        ("basic_auth_users:\n  alice: hunter2\n", 2, "must be a bcrypt hash"),
        ("basic_auth_users: {}\npermissions:\n  bob: [read]\n", 3, "neither in basic_auth_users nor in bearer_tokens"),
        ("tls_server_config:\n  cert_file: /nonexistent.crt\n  key_file: /nonexistent.key\n", 2, "cannot load the certificate /nonexistent.crt"),
        ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n", 2, "needs client_ca_file"),
        ("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", 3, "deny or sameorigin"),
        ("http_server_config:\n  headers:\n    Set-Cookie: a=b\n", 3, "cannot be set"),
        ("bearer_tokens:\n  agent: /nonexistent.token\n", 2, "cannot read the token file of agent"),
        ("basic_authusers: {}\n", 1, "unknown field \"basic_authusers\""),
    ])
    func mistakesNameTheFileAndLine(text: String, line: Int, message: String) throws {
        #expect {
            _ = try WebConfigFile.parse(text, path: "/etc/surge/web.yml")
        } throws: { error in
            guard let error = error as? FileError else { return false }
            return error.path == "/etc/surge/web.yml" && error.line == line && error.message.contains(message)
        }
    }

    @Test func prometheusWebConfigFilesLoadUnchanged() throws {
        let dir = try TemporaryDirectory(prefix: "surge-access")
        defer { dir.remove() }
        let certificates = try TestCertificates(in: dir.path)
        let text = """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              client_auth_type: VerifyClientCertIfGiven
              client_ca_file: ca.crt
              min_version: TLS12
              prefer_server_cipher_suites: true
            http_server_config:
              http2: true
              headers:
                Strict-Transport-Security: max-age=31536000
            basic_auth_users:
              alice: $2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze
            """
        let loaded = try WebConfigFile.parse(text, path: dir.path + "/web.yml")
        #expect(loaded.config.tls?.certFile == certificates.serverCertFile)
        #expect(loaded.config.tls?.clientAuth == .verifyIfGiven)
        #expect(loaded.config.headers == ["Strict-Transport-Security": "max-age=31536000"])
        #expect(loaded.config.permissions(of: "alice") == Set(Permission.allCases))
        #expect(Set(loaded.files) == [dir.path + "/web.yml", certificates.serverCertFile, certificates.serverKeyFile, certificates.caFile])
    }
}
