import Hummingbird
import HummingbirdTLS
import Logging
import NIOSSL

/// Serves `respond` on `port` (a free one if nil) of 127.0.0.1 (over TLS when given) while `body` runs, then stops.
/// `body` gets the port; `cleanup` runs before the server stops, for streams that would hold it open.
func withLocalTestServer<T: Sendable>(label: String, port: Int? = nil, tls: TLSConfiguration? = nil,
                                      respond: @escaping @Sendable (Request) async -> Response,
                                      cleanup: @escaping @Sendable () -> Void = {},
                                      _ body: (Int) async throws -> T) async throws -> T {
    let port = try port ?? freeLocalPort()
    var logger = Logger(label: label)
    logger.logLevel = .warning
    let (running, started) = AsyncStream<Void>.makeStream()
    let app = Application(
        responder: CallbackResponder<BasicRequestContext> { request, _ in await respond(request) },
        server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
        configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
        onServerRunning: { _ in started.yield() },
        logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.runService() }
        for await _ in running { break }
        defer {
            cleanup()
            group.cancelAll()
        }
        return try await body(port)
    }
}
