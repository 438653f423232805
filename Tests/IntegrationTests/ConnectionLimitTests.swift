import Foundation
import SurgeTestKit
import Testing

/// More connections than `--web.max-connections` wait in the listen backlog; the ones being served
/// keep being served, and a waiting one is served as soon as another closes.
@Suite(.serialized) struct ConnectionLimitTests {
    static let request = "GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    @Test(.timeLimit(.minutes(2)))
    func connectionsBeyondTheLimitWaitAndServedOnesKeepBeingServed() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-connections")
        defer { dir.remove() }
        let port = try freeLocalPort()
        let surge = try await SurgeBinary.serve(dataDirectory: dir.path + "/data", port: port, logURL: dir.url.appendingPathComponent("surge.log"),
                                                arguments: ["--web.max-connections", "20"])
        defer { surge.signal(SIGKILL) }
        // Connections are served up to the limit (the readiness poll's kept-alive connection may hold
        // one place); the next one waits.
        var served: [RawConnection] = []
        var waiting: RawConnection?
        while served.count < 25, waiting == nil {
            let connection = try RawConnection(port: port)
            connection.send(Self.request)
            let reply = await connection.receive(until: "Healthy", timeout: .seconds(2))
            if reply.text.isEmpty { waiting = connection } else {
                #expect(reply.text.hasPrefix("HTTP/1.1 200"), "\(reply.text)")
                served.append(connection)
            }
        }
        #expect((19...20).contains(served.count), "\(served.count) connections were served at once")
        let queued = try #require(waiting)
        // Connections being served are not held up by the one waiting.
        served[0].send(Self.request)
        #expect(await served[0].receive(until: "Healthy", timeout: .seconds(10)).text.hasPrefix("HTTP/1.1 200"))
        // A connection closes; the waiting one is accepted and answered.
        served[1].close()
        #expect(await queued.receive(until: "Healthy", timeout: .seconds(10)).text.hasPrefix("HTTP/1.1 200"))
        #expect(surge.log.contains("connection limit reached; new connections wait until one closes"))
        #expect(surge.isRunning)
    }
}
