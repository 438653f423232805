import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTPCompression
import NIOSSL

/// QueryClient owns the query seam over HTTP: a client of any Prometheus-compatible query API, for
/// the command line, live decisions and, later, remote query sources.
///
/// What they share to call such an API: one HTTP client and the form encoding.
public enum QueryHTTP {
    /// Servers gzip large answers at ratios beyond the shared client's browser-like limit. A refused
    /// connection is retried until the connect timeout, so that is kept short.
    public static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(
            timeout: .init(connect: .seconds(3)), decompression: .enabled(limit: .size(512 << 20))))

    /// A client like the shared one, with TLS settings of its own; its owner shuts it down.
    public static func client(tls: TLSConfiguration) -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(
            tlsConfiguration: tls, timeout: .init(connect: .seconds(3)), decompression: .enabled(limit: .size(512 << 20))))
    }

    /// An `application/x-www-form-urlencoded` body.
    public static func formEncode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }
}
