import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SurgeTestKit
import Testing
import WireFormat

/// The requests a Grafana Prometheus data source sends, in the forms it sends them (POST forms by
/// default, float-second times, `match[]` on label values), and the fields Grafana reads back.
@Suite struct GrafanaDataSourceTests {
    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func seeded(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await withSurge(now: { 1_700_003_600_000 }) { client in
            var batch: [RemoteWriteEncoder.WireSeries] = []
            for (job, instance) in [("api", "a:9100"), ("api", "b:9100"), ("db", "c:9100")] {
                let samples = (0..<240).map { (1_700_000_000_000 + Int64($0) * 15_000, Double($0 * 3)) }
                batch.append(series(["__name__": "http_requests_total", "job": job, "instance": instance], samples))
                batch.append(series(["__name__": "up", "job": job, "instance": instance], samples.map { ($0.0, 1) }))
            }
            #expect(try await client.write(batch).status == .noContent)
            try await body(client)
        }
    }

    @Test func healthCheckAndBuildInfo() async throws {
        try await Self.seeded { client in
            // "Save & test": an instant query of 1+1 (POST by default, GET when configured).
            for response in [try await client.postForm("/api/v1/query", "query=1%2B1&time=1700003600.123"),
                             try await client.get("/api/v1/query?query=1%2B1&time=1700003600")] {
                #expect(response.status == .ok)
                let data = try #require(try Self.json(response)["data"] as? [String: Any])
                #expect(data["resultType"] as? String == "scalar")
                #expect((data["result"] as? [Any])?.last as? String == "2")
            }
            // The flavour and version probe.
            let info = try await client.get("/api/v1/status/buildinfo")
            let data = try #require(try Self.json(info)["data"] as? [String: Any])
            #expect(data["version"] is String)
        }
    }

    @Test func labelBrowser() async throws {
        try await Self.seeded { client in
            let range = "start=1700000000&end=1700003600"
            let names = try await client.get("/api/v1/labels?\(range)")
            #expect(try Self.json(names)["data"] as? [String] == ["__name__", "instance", "job"])
            let metrics = try await client.get("/api/v1/label/__name__/values?\(range)")
            #expect(try Self.json(metrics)["data"] as? [String] == ["http_requests_total", "up"])
            let jobs = try await client.get("/api/v1/label/job/values?\(range)&match[]=\(q("http_requests_total"))")
            #expect(try Self.json(jobs)["data"] as? [String] == ["api", "db"])
            let instances = try await client.get("/api/v1/label/instance/values?\(range)&match[]=\(q(#"up{job="api"}"#))")
            #expect(try Self.json(instances)["data"] as? [String] == ["a:9100", "b:9100"])
            let seriesList = try await client.postForm("/api/v1/series", "match[]=\(q(#"{__name__="up",job="db"}"#))&\(range)")
            #expect(try Self.json(seriesList)["data"] as? [[String: String]] == [["__name__": "up", "instance": "c:9100", "job": "db"]])
            let metadata = try await client.get("/api/v1/metadata")
            #expect(try Self.json(metadata)["data"] is [String: Any])
        }
    }

    @Test func rangeQueryAsAPanelSendsIt() async throws {
        try await Self.seeded { client in
            let form = "query=\(q("sum by (job) (rate(http_requests_total[5m]))"))&start=1700002700&end=1700003600&step=60"
            let response = try await client.postForm("/api/v1/query_range", form)
            #expect(response.status == .ok)
            let data = try #require(try Self.json(response)["data"] as? [String: Any])
            #expect(data["resultType"] as? String == "matrix")
            let result = try #require(data["result"] as? [[String: Any]])
            #expect(result.compactMap { ($0["metric"] as? [String: String])?["job"] } == ["api", "db"])
            // Each counter grows by 3 every 15 s: 0.2/s per series.
            for entry in result {
                let values = try #require(entry["values"] as? [[Any]])
                #expect(values.count == 16)
                let perSeries = (entry["metric"] as? [String: String])?["job"] == "api" ? 2.0 : 1.0
                #expect(values.allSatisfy { abs(Double($0[1] as! String)! - 0.2 * perSeries) < 1e-9 })
            }
            let exemplars = try await client.get("/api/v1/query_exemplars?query=\(q("rate(http_requests_total[5m])"))&start=1700002700&end=1700003600")
            #expect(try Self.json(exemplars)["data"] as? [Any] != nil)
        }
    }
}
