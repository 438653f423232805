import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression

/// Minimal HTTP calls for tests against real servers on 127.0.0.1.
public enum TestHTTP {
    public struct Reply: Sendable {
        public let status: Int
        public let headers: [(String, String)]
        public let body: [UInt8]

        public var text: String { String(decoding: body, as: UTF8.self) }

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        /// The body parsed as a JSON object.
        public func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw TestKitError("not a JSON object: \(text.prefix(300))")
            }
            return object
        }
    }

    /// Servers gzip large JSON answers at ratios the shared client's browser-like limit refuses.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(decompression: .enabled(limit: .size(256 << 20))))

    public static func get(_ url: String) async throws -> Reply {
        try await send(HTTPClientRequest(url: url))
    }

    public static func post(_ url: String, body: [UInt8], headers: [(String, String)]) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await send(request)
    }

    static func send(_ request: HTTPClientRequest) async throws -> Reply {
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            body: Array(buffer: body))
    }

    /// Polls `url` until it answers 200 or `timeout` passes.
    public static func waitUntilReady(_ url: String, timeout: Duration = .seconds(60), process: ChildProcess? = nil) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let reply = try? await get(url), reply.status == 200 { return }
            if let process, !process.isRunning {
                throw TestKitError("process exited before \(url) was ready:\n\(process.log.suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestKitError("\(url) was not ready within \(timeout)\n\(process?.log.suffix(3000) ?? "")")
    }

    public static func urlEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
