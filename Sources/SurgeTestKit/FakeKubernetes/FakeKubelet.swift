import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The kubelet's read-only `/pods` endpoint on 127.0.0.1: the node's pods as a PodList, for a bearer
/// token that may read them (401 without one, 403 with another, as the kubelet's authorizer answers).
public enum FakeKubelet {
    public static func with<T: Sendable>(token: String, pods: SharedValue<[JSONValue]>, _ body: (String) async throws -> T) async throws -> T {
        let port = try freeLocalPort()
        let (running, started) = AsyncStream<Void>.makeStream()
        var logger = Logger(label: "fake-kubelet")
        logger.logLevel = .warning
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                guard let authorization = request.headers[.authorization] else {
                    return Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: "Unauthorized")))
                }
                guard authorization == "Bearer \(token)" else {
                    return Response(status: .forbidden, body: .init(byteBuffer: ByteBuffer(
                        string: "Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource=proxy)")))
                }
                guard request.method == .get, request.uri.path == "/pods" else { return Response(status: .notFound) }
                let list: JSONValue = ["kind": "PodList", "apiVersion": "v1", "metadata": [:], "items": .array(pods.value)]
                return FakeKubernetesAPIServer.json(list)
            },
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { _ in started.yield() },
            logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            for await _ in running { break }
            defer { group.cancelAll() }
            return try await body("http://127.0.0.1:\(port)")
        }
    }
}
