import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The kubelet's read-only `/pods` endpoint on 127.0.0.1: the node's pods as a PodList, for a bearer
/// token that may read them (401 without one, 403 with another, as the kubelet's authorizer answers).
public enum FakeKubelet {
    public static func with<T: Sendable>(token: String, pods: SharedValue<[JSONValue]>, _ body: (String) async throws -> T) async throws -> T {
        try await withLocalTestServer(label: "fake-kubelet", respond: { request in
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
        }) { port in try await body("http://127.0.0.1:\(port)") }
    }
}
