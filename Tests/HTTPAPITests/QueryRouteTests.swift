import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SurgeTestKit
import Testing
@testable import HTTPAPI

@Suite struct QueryRouteTests {
    func seeded(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await withSurge { client in
            let response = try await client.write([
                series(["__name__": "up", "job": "api", "instance": "a:1"], [(1_700_000_000_000, 1), (1_700_000_015_500, 0)]),
                series(["__name__": "up", "job": "db", "instance": "b:2"], [(1_700_000_000_000, 1)]),
                series(["__name__": "temp_celsius", "room": "lab"], [(1_700_000_000_000, -273.15), (1_700_000_015_000, 1e21)]),
            ])
            #expect(response.status == .noContent)
            try await body(client)
        }
    }

    @Test func instantQueryShapesMatchPrometheus() async throws {
        try await seeded { client in
            let response = try await client.get("/api/v1/query?query=\(q(#"up{job=~"a.*"}"#))&time=1700000016.25")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(String(buffer: response.body) == #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a:1","job":"api"},"value":[1700000016.250,"0"]}]}}"#)
            let temp = try await client.postForm("/api/v1/query", "query=temp_celsius&time=1700000020")
            #expect(String(buffer: temp.body).contains(#""value":[1700000020,"1000000000000000000000"]"#))
            let scalar = try await client.get("/api/v1/query?query=42&time=5")
            #expect(String(buffer: scalar.body) == #"{"status":"success","data":{"resultType":"scalar","result":[5,"42"]}}"#)
            let matrix = try await client.get("/api/v1/query?query=\(q("temp_celsius[1m]"))&time=1700000020")
            #expect(String(buffer: matrix.body).contains(#""values":[[1700000000,"-273.15"],[1700000015,"1000000000000000000000"]]"#))
        }
    }

    @Test func usesTheServerClockWithoutTime() async throws {
        try await seeded { client in
            // The test clock stands at 1700000100.
            let response = try await client.get("/api/v1/query?query=up")
            #expect(String(buffer: response.body).contains(#"[1700000100,"#))
        }
    }

    @Test func rangeQuery() async throws {
        try await seeded { client in
            let response = try await client.postForm("/api/v1/query_range", "query=\(q(#"up{instance="a:1"}"#))&start=1700000000&end=1700000030&step=15s")
            #expect(String(buffer: response.body) == #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"a:1","job":"api"},"values":[[1700000000,"1"],[1700000015,"1"],[1700000030,"0"]]}]}}"#)
        }
    }

    @Test(arguments: [
        ("/api/v1/query?query=rate(up)", "expected type range vector"),
        ("/api/v1/query?query=up%7B", "parse error"),
        ("/api/v1/query?query=", "invalid parameter \\\"query\\\""),
        ("/api/v1/query?query=up&time=yesterday", "invalid parameter \\\"time\\\""),
        ("/api/v1/query_range?query=up&start=10&end=5&step=1", "end timestamp must not be before start time"),
        ("/api/v1/query_range?query=up&start=0&end=100000&step=1", "exceeded maximum resolution of 11,000 points"),
        ("/api/v1/query_range?query=up&start=0&end=10&step=0", "zero or negative query resolution step"),
        ("/api/v1/query_range?query=up&start=0&end=10", "invalid parameter \\\"step\\\""),
        ("/api/v1/query_range?query=up%5B5m%5D&start=0&end=10&step=1", "invalid expression type \\\"range vector\\\" for range query"),
        ("/api/v1/series", "no match[] parameter provided"),
        ("/api/v1/series?match[]=up%2B1", "invalid parameter \\\"match[]\\\""),
        ("/api/v1/label/1bad/values", "invalid label name"),
        ("/api/v1/query?query=" + String(repeating: "(", count: 30_000) + "1" + String(repeating: ")", count: 30_000),
         "expression nested too deeply: more than 256 levels"),
        ("/api/v1/query_range?start=0&end=60&step=15&query=" + Array(repeating: "1", count: 16_000).joined(separator: "-"),
         "expression nested too deeply: more than 256 levels"),
    ])
    func badQueriesGetThePrometheusErrorBody(uri: String, message: String) async throws {
        try await seeded { client in
            let response = try await client.get(uri)
            #expect(response.status == .badRequest)
            let text = String(buffer: response.body)
            #expect(text.hasPrefix(#"{"status":"error","errorType":"bad_data","error":""#), "\(text)")
            #expect(text.contains(message), "\(text)")
        }
    }

    @Test func seriesLabelsAndValues() async throws {
        try await seeded { client in
            let series = try await client.get("/api/v1/series?match[]=up&match[]=\(q(#"{room="lab"}"#))")
            #expect(String(buffer: series.body) == #"{"status":"success","data":[{"__name__":"temp_celsius","room":"lab"},{"__name__":"up","instance":"a:1","job":"api"},{"__name__":"up","instance":"b:2","job":"db"}]}"#)
            let labels = try await client.get("/api/v1/labels")
            #expect(String(buffer: labels.body) == #"{"status":"success","data":["__name__","instance","job","room"]}"#)
            let filtered = try await client.postForm("/api/v1/labels", "match[]=temp_celsius")
            #expect(String(buffer: filtered.body) == #"{"status":"success","data":["__name__","room"]}"#)
            let values = try await client.get("/api/v1/label/job/values")
            #expect(String(buffer: values.body) == #"{"status":"success","data":["api","db"]}"#)
            let names = try await client.get("/api/v1/label/__name__/values?match[]=\(q(#"{job="db"}"#))")
            #expect(String(buffer: names.body) == #"{"status":"success","data":["up"]}"#)
            let outside = try await client.get("/api/v1/series?match[]=up&start=0&end=1")
            #expect(String(buffer: outside.body) == #"{"status":"success","data":[]}"#)
        }
    }

    @Test func buildInfoHealthAndMetrics() async throws {
        try await seeded { client in
            let info = try await client.get("/api/v1/status/buildinfo")
            let json = try JSONSerialization.jsonObject(with: Data(buffer: info.body)) as? [String: Any]
            #expect(json?["status"] as? String == "success")
            #expect((json?["data"] as? [String: Any])?["version"] as? String == BuildInfo.current.version)
            #expect(try await client.get("/-/healthy").status == .ok)
            #expect(try await client.get("/-/ready").status == .ok)
            let metrics = String(buffer: try await client.get("/metrics").body)
            for line in ["surge_samples_ingested_total 5", "surge_head_series 3", #"surge_remote_write_requests_total{code="204"} 1"#] {
                #expect(metrics.contains(line), "\(line)")
            }
            #expect(metrics.contains("surge_wal_size_bytes "))
            #expect(metrics.contains(#"surge_http_request_duration_seconds_count{handler="/api/v1/write"} 1"#))
        }
    }

    /// Nesting up to the parser's bound is answered: evaluation recurses that deep without trouble.
    @Test func deepButBoundedNestingIsAnswered() async throws {
        try await seeded { client in
            let query = String(repeating: "abs(", count: 250) + "up" + String(repeating: ")", count: 250)
            let response = try await client.get("/api/v1/query?query=\(q(query))")
            #expect(response.status == .ok, "\(String(buffer: response.body).prefix(300))")
        }
    }
}
