import App
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat

/// What a connection may and may not do to the server: `Expect: 100-continue` is answered at once,
/// a body declared beyond the limit is refused from its head, and a connection that sends no request
/// (or trickles one's head) is closed after the idle timeout.
@Suite(.serialized) struct ConnectionTests {
    func withLiveSurge(idleTimeout: Duration, configure: (inout SurgeConfiguration) -> Void = { _ in },
                       _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var configuration = SurgeConfiguration()
        configuration.dataDirectory = dir.path
        configuration.collect = false
        configuration.idleTimeout = idleTimeout
        configure(&configuration)
        configuration.listen = HostPort(host: "127.0.0.1", port: 0)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let app = try SurgeServer.buildApplication(configuration: configuration, logger: logger, clock: ManualClock(now: 1_700_000_100_000))
        try await app.test(.live) { client in try await body(try #require(client.port)) }
    }

    @Test func expectContinueIsAnsweredBeforeTheBody() async throws {
        try await withLiveSurge(idleTimeout: .seconds(60)) { port in
            let body = RemoteWriteEncoder.encode([RemoteWriteEncoder.WireSeries(labels: Labels(["__name__": "c"]).pairs,
                                                                                 samples: [Sample(timestamp: 1_700_000_000_000, value: 1)])], version: .v1)
            let connection = try RawConnection(port: port)
            connection.send("POST /api/v1/write HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
                            + "Expect: 100-continue\r\nContent-Length: \(body.count)\r\n\r\n")
            let interim = await connection.receive(until: "\r\n\r\n")
            #expect(interim.text.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(interim.text)")
            connection.send(bytes: body)
            #expect(await connection.receive(until: "\r\n\r\n").text.hasPrefix("HTTP/1.1 204 "))
        }
    }

    @Test func aBodyDeclaredTooLargeIsRefusedFromItsHead() async throws {
        try await withLiveSurge(idleTimeout: .seconds(60)) { port in
            let connection = try RawConnection(port: port)
            connection.send("POST /api/v1/write HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
                            + "Expect: 100-continue\r\nContent-Length: 1000000000000000000\r\n\r\n")
            let answer = await connection.receive(until: "exceeds the limit")

            #expect(answer.text.hasPrefix("HTTP/1.1 413 "), "\(answer.text)")
            #expect(answer.text.contains("request body of 1000000000000000000 bytes exceeds the limit"))
        }
    }

    @Test func idleAndTricklingConnectionsAreClosed() async throws {
        try await withLiveSurge(idleTimeout: .seconds(2)) { port in
            let idle = try RawConnection(port: port)
            #expect(await idle.receive(until: "never", timeout: .seconds(30)).closed)
            let trickling = try RawConnection(port: port)
            trickling.send("GET /api/v1/query?query=1 HTTP/1.1\r\n")
            #expect(await trickling.receive(until: "never", timeout: .seconds(30)).closed)
            // A connection that keeps asking is served.
            let busy = try RawConnection(port: port)
            busy.send("GET /-/ready HTTP/1.1\r\nHost: test\r\n\r\n")
            let served = await busy.receive(until: "\r\n\r\n")
            #expect(served.text.hasPrefix("HTTP/1.1 200"))
        }
    }

    /// A body trickled slower than `remote_write_receiver.body_timeout` is answered 408 and gives its slot back.
    @Test func aTrickledBodyTimesOutAndFreesItsSlot() async throws {
        try await withLiveSurge(idleTimeout: .seconds(60), configure: { config in
            config.remoteWriteLimits.bodyTimeout = .milliseconds(500)
            config.remoteWriteLimits.maxInflightRequests = 1
        }) { port in
            let slow = try RawConnection(port: port)
            slow.send("POST /api/v1/write HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
                      + "Content-Length: 100\r\n\r\n0123456789")
            let answer = await slow.receive(until: "body_timeout")
            #expect(answer.text.hasPrefix("HTTP/1.1 408 "), "\(answer.text)")
            // The only slot is free again: a whole write is stored.
            let body = RemoteWriteEncoder.encode([RemoteWriteEncoder.WireSeries(labels: Labels(["__name__": "t"]).pairs,
                                                                                 samples: [Sample(timestamp: 1_700_000_000_000, value: 1)])], version: .v1)
            let honest = try RawConnection(port: port)
            honest.send("POST /api/v1/write HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
                        + "Content-Length: \(body.count)\r\n\r\n")
            honest.send(bytes: body)
            #expect(await honest.receive(until: "\r\n\r\n").text.hasPrefix("HTTP/1.1 204 "))
        }
    }
}
