import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOSSL

/// How a command-line client calls a server that wants credentials or TLS: what promtool's
/// `--http.config.file` says (basic auth, a bearer token, CA and client certificates).
public struct HTTPClientSettings: Sendable {
    /// The `Authorization` header value, already read from its file.
    public var authorization: String?
    /// TLS for `https://` servers; nil uses the system's trust roots.
    public var tls: TLSConfiguration?

    public init(authorization: String? = nil, tls: TLSConfiguration? = nil) {
        self.authorization = authorization
        self.tls = tls
    }

    /// Runs `body` with a client that has these TLS settings (the shared one when there are none),
    /// and shuts down a client made for it.
    public func withClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        guard let tls else { return try await body(QueryHTTP.client) }
        let client = QueryHTTP.client(tls: tls)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Adds the credentials to a request.
    public func authorize(_ request: inout HTTPClientRequest) {
        if let authorization { request.headers.replaceOrAdd(name: "Authorization", value: authorization) }
    }
}
