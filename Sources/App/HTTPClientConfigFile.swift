import Collectors
import Foundation
import Kubernetes
import QueryClient
import YAMLFiles
import Yams

/// Reads promtool's `--http.config.file`: Prometheus' HTTP client configuration (`basic_auth`,
/// `authorization`, `bearer_token`, `bearer_token_file`, `tls_config`), so the file a team gives
/// promtool works for `surge query`, `surge decide` and `surge bench` too. Relative paths are read
/// from the file's directory.
///
/// ```yaml
/// basic_auth: {username: grafana, password_file: grafana.password}
/// tls_config: {ca_file: ca.crt, cert_file: client.crt, key_file: client.key}
/// ```
public enum HTTPClientConfigFile {
    public static func load(path: String) throws -> HTTPClientSettings {
        try parse(try YAMLReader.text(of: path, what: "the HTTP client configuration"), path: path)
    }

    public static func parse(_ text: String, path: String) throws -> HTTPClientSettings {
        let reader = YAMLReader(path: path)
        guard let root = try reader.compose(text).first else { return HTTPClientSettings() }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func resolve(_ file: String) -> String { file.hasPrefix("/") ? file : directory + "/" + file }
        let section = try reader.mapping(root, "the HTTP client configuration", allowed: [
            "basic_auth", "authorization", "bearer_token", "bearer_token_file", "tls_config", "follow_redirects", "enable_http2",
        ])
        var settings = HTTPClientSettings()
        if let authorization = try ConfigurationFile.readAuthorization(section, path: path) {
            let node = ["basic_auth", "authorization", "bearer_token", "bearer_token_file"].compactMap { section[$0] }.first
            switch authorization.headerValue(readFile: { try? String(contentsOfFile: resolve($0), encoding: .utf8) }) {
            case .success(let value): settings.authorization = value
            case .failure(let error): throw reader.fail(node, error.message)
            }
        }
        if let node = section["tls_config"] {
            let tls = try ConfigurationFile.readTLSSettings(node, path: path, resolve: resolve)
            do {
                settings.tls = try tls.makeConfiguration()
            } catch {
                throw reader.fail(node, error.message)
            }
        }
        return settings
    }
}
