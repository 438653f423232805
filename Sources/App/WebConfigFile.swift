import Foundation
import HTTPAPI
import YAMLFiles
import Yams

/// Reads a web configuration file (`--web.config.file`): Prometheus' format, so the file teams
/// already give Prometheus and its exporters works unchanged, plus two keys of Surge's own.
///
/// ```yaml
/// tls_server_config:
///   cert_file: server.crt            # relative paths are read from the file's directory
///   key_file: server.key
///   client_auth_type: RequireAndVerifyClientCert   # or NoClientCert (default), RequestClientCert,
///   client_ca_file: clients-ca.crt                 #   RequireAnyClientCert, VerifyClientCertIfGiven
///   min_version: TLS12               # TLS10 .. TLS13; max_version likewise
/// http_server_config:
///   headers:                         # added to every response
///     Strict-Transport-Security: max-age=31536000
/// basic_auth_users:                  # user: bcrypt hash (htpasswd -nBC 10 USER)
///   grafana: $2y$10$...
/// bearer_tokens:                     # Surge: name: file holding the token
///   vmagent: /etc/surge/tokens/vmagent
/// permissions:                       # Surge: what each user or token may do (read, write, admin);
///   grafana: [read]                  #   without this key every identity may do everything
///   vmagent: [write]
/// ```
public enum WebConfigFile {
    public static func load(path: String) throws -> AccessControl.Loaded {
        try parse(try YAMLReader.text(of: path, what: "the web configuration"), path: path)
    }

    public static func parse(_ text: String, path: String) throws -> AccessControl.Loaded {
        let reader = YAMLReader(path: path)
        var config = WebConfig()
        var files = [path]
        guard let root = try reader.compose(text).first else { return .init(config: config, files: files) }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func resolve(_ file: String) -> String { file.hasPrefix("/") ? file : directory + "/" + file }
        let top = try reader.mapping(root, "the web configuration", allowed: [
            "tls_server_config", "http_server_config", "basic_auth_users", "bearer_tokens", "permissions",
        ])
        if let node = top["tls_server_config"] {
            config.tls = try readTLS(node, reader: reader, resolve: resolve)
            files += config.tls?.files ?? []
        }
        if let node = top["http_server_config"] {
            let section = try reader.mapping(node, "http_server_config", allowed: ["headers", "http2"])
            if let n = section["http2"], n.bool == nil { throw reader.fail(n, "http2 must be true or false") }
            if let n = section["headers"] {
                for (key, value) in n.mapping ?? [:] {
                    let name = try reader.string(key, "a header name")
                    guard let settable = WebConfig.settableHeaders.first(where: { $0.lowercased() == name.lowercased() }) else {
                        throw reader.fail(key, "header \(name) cannot be set; settable: \(WebConfig.settableHeaders.joined(separator: ", "))")
                    }
                    let text = try reader.string(value, "header \(name)")
                    try checkHeaderValue(settable, text, node: value, reader: reader)
                    config.headers[settable] = text
                }
                if n.mapping == nil { throw reader.fail(n, "headers must be a mapping of header names to values") }
            }
        }
        if let node = top["basic_auth_users"] {
            guard let map = node.mapping else { throw reader.fail(node, "basic_auth_users must be a mapping of user names to bcrypt hashes") }
            for (key, value) in map {
                let user = try reader.string(key, "a user name")
                let hash = try reader.string(value, "the hash of \(user)")
                guard PasswordHash.isBcrypt(hash) else {
                    throw reader.fail(value, "the password of \(user) must be a bcrypt hash ($2y$..., as htpasswd -nB makes), not the password itself")
                }
                config.basicAuthUsers[user] = hash
            }
        }
        if let node = top["bearer_tokens"] {
            guard let map = node.mapping else { throw reader.fail(node, "bearer_tokens must be a mapping of names to token files") }
            for (key, value) in map {
                let name = try reader.string(key, "a token name")
                guard config.basicAuthUsers[name] == nil else { throw reader.fail(key, "\(name) is both a user and a token name") }
                let file = resolve(try reader.string(value, "the token file of \(name)"))
                let token: String
                do {
                    token = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                } catch {
                    throw reader.fail(value, "cannot read the token file of \(name): \(error.localizedDescription)")
                }
                guard token.utf8.count >= 16 else { throw reader.fail(value, "the token of \(name) is shorter than 16 characters") }
                config.bearerTokens[name] = token
                files.append(file)
            }
        }
        if let node = top["permissions"] {
            guard let map = node.mapping else { throw reader.fail(node, "permissions must map user or token names to lists of read, write, admin") }
            var permissions: [String: Set<Permission>] = [:]
            for (key, value) in map {
                let name = try reader.string(key, "a user or token name")
                guard config.basicAuthUsers[name] != nil || config.bearerTokens[name] != nil else {
                    throw reader.fail(key, "permissions name \(name), which is neither in basic_auth_users nor in bearer_tokens")
                }
                var granted: Set<Permission> = []
                for item in try reader.sequence(value, "the permissions of \(name)") {
                    guard let permission = item.string.flatMap(Permission.init(rawValue:)) else {
                        throw reader.fail(item, "a permission is one of read, write, admin")
                    }
                    granted.insert(permission)
                }
                permissions[name] = granted
            }
            config.permissions = permissions
        }
        return .init(config: config, files: files)
    }

    private static func readTLS(_ node: Node, reader: YAMLReader, resolve: (String) -> String) throws -> WebConfig.TLSServer {
        let fields = try reader.mapping(node, "tls_server_config", allowed: [
            "cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version",
            "prefer_server_cipher_suites", "cipher_suites", "curve_preferences", "client_allowed_sans",
        ])
        for key in ["cipher_suites", "curve_preferences", "client_allowed_sans"] {
            if let value = fields[key] { throw reader.fail(value, "tls_server_config \(key) is not supported by Surge") }
        }
        var tls = WebConfig.TLSServer(
            certFile: resolve(try reader.string(try reader.require(fields, "cert_file", in: "tls_server_config", at: node), "cert_file")),
            keyFile: resolve(try reader.string(try reader.require(fields, "key_file", in: "tls_server_config", at: node), "key_file")))
        if let n = fields["client_auth_type"] {
            guard let value = n.string.flatMap(WebConfig.ClientAuth.init(rawValue:)) else {
                throw reader.fail(n, "client_auth_type must be one of \(WebConfig.ClientAuth.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tls.clientAuth = value
        }
        if let n = fields["client_ca_file"] { tls.clientCAFile = resolve(try reader.string(n, "client_ca_file")) }
        if (tls.clientAuth == .verifyIfGiven || tls.clientAuth == .requireAndVerify) && tls.clientCAFile == nil {
            throw reader.fail(node, "client_auth_type \(tls.clientAuth.rawValue) needs client_ca_file")
        }
        if let n = fields["min_version"] { tls.minVersion = try version(n, "min_version", reader: reader) }
        if let n = fields["max_version"] { tls.maxVersion = try version(n, "max_version", reader: reader) }
        if let n = fields["prefer_server_cipher_suites"], n.bool == nil { throw reader.fail(n, "prefer_server_cipher_suites must be true or false") }
        // The files must be usable now, not at the first connection.
        do {
            try AccessControl.checkTLS(tls)
        } catch {
            throw reader.fail(node, "tls_server_config: \(error)")
        }
        return tls
    }

    private static func version(_ node: Node, _ key: String, reader: YAMLReader) throws -> WebConfig.TLSVersion {
        guard let value = node.string.flatMap(WebConfig.TLSVersion.init(rawValue:)) else {
            throw reader.fail(node, "\(key) must be one of \(WebConfig.TLSVersion.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    private static func checkHeaderValue(_ name: String, _ value: String, node: Node, reader: YAMLReader) throws {
        switch name {
        case "X-Content-Type-Options" where value.lowercased() != "nosniff":
            throw reader.fail(node, "X-Content-Type-Options must be nosniff")
        case "X-Frame-Options" where !["deny", "sameorigin"].contains(value.lowercased()):
            throw reader.fail(node, "X-Frame-Options must be deny or sameorigin")
        default:
            guard !value.contains(where: { $0 == "\r" || $0 == "\n" }) else { throw reader.fail(node, "a header value must be one line") }
        }
    }
}
