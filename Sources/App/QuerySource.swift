import AsyncHTTPClient
import Collectors
import Foundation
import Kubernetes
import NIOCore
import QueryClient
import TimeSeriesCore
import YAMLFiles
import Yams

/// `query_source`: where rules and scaling policies read metrics when the samples live in another
/// store (VictoriaMetrics, Mimir, Thanos Query, Prometheus). Queries go to its `/api/v1/query` and
/// `/api/v1/query_range`; when it cannot be reached in `timeout`, a rule's evaluation fails (and is
/// shown so) and a policy's metric is missing, so its replicas are held, never lowered.
///
/// ```yaml
/// query_source:
///   url: http://victoria-metrics:8428
///   timeout: 30s
///   basic_auth: {username: surge, password_file: /etc/surge/vm.password}   # or authorization, bearer_token_file
///   tls_config: {ca_file: /etc/surge/ca.crt}
/// ```
public struct QuerySource: Sendable, Equatable {
    public var url: String
    public var timeout: Duration = .seconds(30)
    /// A full `Authorization` header value, read from the configuration's credentials.
    public var authorization: String?
    public var tls: TLSSettings?

    public init(url: String) { self.url = url }

    /// The query seam over this API, and the client it made of its own when TLS is configured (the
    /// server shuts that one down when it stops).
    func engine() throws -> (engine: HTTPQueryEngine, ownedClient: HTTPClient?) {
        var owned: HTTPClient?
        if let tls {
            do { owned = QueryHTTP.client(tls: try tls.makeConfiguration()) } catch { throw StartupError(description: "query_source: \(error.message)") }
        }
        let engine = HTTPQueryEngine(base: url, client: owned ?? QueryHTTP.client, settings: HTTPClientSettings(authorization: authorization),
                                     timeout: .milliseconds(timeout.inMilliseconds))
        return (engine, owned)
    }
}

extension ConfigurationFile {
    static func readQuerySource(_ node: Node, path: String) throws -> QuerySource {
        let reader = YAMLReader(path: path)
        let fields = try reader.mapping(node, "query_source", allowed: [
            "url", "timeout", "basic_auth", "authorization", "bearer_token", "bearer_token_file", "tls_config",
        ])
        let urlNode = try reader.require(fields, "url", in: "query_source", at: node)
        let url = try reader.string(urlNode, "url")
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw reader.fail(urlNode, "url must be an http:// or https:// URL") }
        var source = QuerySource(url: url)
        if let n = fields["timeout"] {
            guard let value = duration(n), value > 0 else { throw reader.fail(n, "timeout must be a duration such as 30s") }
            source.timeout = .milliseconds(value)
        }
        if let authorization = try readAuthorization(fields, path: path) {
            switch authorization.headerValue(readFile: { try? String(contentsOfFile: $0, encoding: .utf8) }) {
            case .success(let value): source.authorization = value
            case .failure(let error): throw reader.fail(node, "query_source: \(error.message)")
            }
        }
        if let n = fields["tls_config"] {
            let tls = try readTLSSettings(n, path: path)
            do { _ = try tls.makeConfiguration() } catch { throw reader.fail(n, "query_source: \(error.message)") }
            source.tls = tls
        }
        return source
    }
}
