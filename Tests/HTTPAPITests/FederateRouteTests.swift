import Foundation
import HummingbirdTesting
import Testing
import TimeSeriesCore
import WireFormat

/// `/federate` answers as Prometheus' does: the newest sample of each matching series within the
/// lookback window, with its own timestamp, never a staleness marker, external labels added.
@Suite struct FederateRouteTests {
    @Test func newestSamplesOfMatchingSeriesWithExternalLabels() async throws {
        try await withSurge(configure: { $0.externalLabels = ["cluster": "east", "job": "ignored-when-present"] }) { client in
            let now: Int64 = 1_700_000_100_000
            #expect(try await client.write([
                series(["__name__": "up", "job": "node", "instance": "a"], [(now - 30_000, 1), (now - 15_000, 0)]),
                series(["__name__": "up", "job": "node", "instance": "b"], [(now - 15_000, 1), (now - 5_000, StaleNaN.value)]),
                series(["__name__": "up", "job": "node", "instance": "old"], [(now - 600_000, 1)]),
                series(["__name__": "http_requests_total", "code": "200"], [(now - 1_000, 42.5)]),
                series(["__name__": "other"], [(now - 1_000, 7)]),
            ]).status == .noContent)
            let response = try await client.get("/federate?match[]=up&match[]=" + q(#"{__name__=~"http_.*"}"#))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let text = String(buffer: response.body)
            #expect(text == """
                # TYPE http_requests_total untyped
                http_requests_total{cluster="east",code="200",job="ignored-when-present"} 42.5 \(now - 1_000)
                # TYPE up untyped
                up{cluster="east",instance="a",job="node"} 0 \(now - 15_000)

                """)

            let zipped = try await client.execute(uri: "/federate?match[]=other", method: .get, headers: [.acceptEncoding: "gzip"])
            #expect(zipped.headers[.contentEncoding] == "gzip")
            #expect(Array(zipped.body.readableBytesView.prefix(2)) == [0x1f, 0x8b])

            let bad = try await client.get("/federate?match[]=" + q("rate(up[5m])"))
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains("is not an instant vector selector"))
            let none = try await client.get("/federate")
            #expect(none.status == .ok && none.body.readableBytes == 0)
        }
    }

    @Test func collectorEndpointsAreEmptyUntilTheFirstRoundAndAbsentWhenNotCollecting() async throws {
        try await withSurge { client in
            // Collection is off in these in-process servers: no endpoints are registered.
            let node = try await client.get("/metrics/node")
            let cadvisor = try await client.get("/metrics/cadvisor")
            #expect(node.status == .notFound && cadvisor.status == .notFound)
        }
        try await withSurge(configure: { $0.collect = true; $0.collectCgroups = false; $0.nodeTarget.path = "/node-metrics" }) { client in
            let response = try await client.get("/node-metrics")
            let cadvisor = try await client.get("/metrics/cadvisor")
            #expect(response.status == .ok && cadvisor.status == .notFound)
        }
    }
}
