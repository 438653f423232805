import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SurgeTestKit
import Testing
import TimeSeriesCore
import WireFormat
@testable import HTTPAPI

/// `/api/v1/metadata` from remote-written metadata, `/api/v1/query_exemplars`, and the `stats` parameter.
@Suite struct MetadataAndStatsTests {
    static let requests = MetricMetadata(type: .counter, help: "Requests served.", unit: "")
    static let temperature = MetricMetadata(type: .gauge, help: "Room temperature.", unit: "celsius")

    @Test(arguments: [RemoteWriteVersion.v1, .v2])
    func metadataArrivesWithRemoteWrite(version: RemoteWriteVersion) async throws {
        try await withSurge { client in
            let body = RemoteWriteEncoder.encode(
                [series(["__name__": "requests_total", "job": "a"], [(1_700_000_000_000, 1)]),
                 series(["__name__": "temp_celsius", "room": "lab"], [(1_700_000_000_000, 21)])],
                metadata: ["requests_total": Self.requests, "temp_celsius": Self.temperature], version: version)
            let written = try await client.writeRaw(
                body, contentType: version == .v2 ? RemoteWriteVersion.v2ContentType : RemoteWriteVersion.v1ContentType)
            #expect(written.status == .noContent)

            let all = try await client.get("/api/v1/metadata")
            #expect(all.status == .ok)
            #expect(String(buffer: all.body) == #"{"status":"success","data":{"requests_total":[{"type":"counter","help":"Requests served.","unit":""}],"temp_celsius":[{"type":"gauge","help":"Room temperature.","unit":"celsius"}]}}"#)
            let one = try await client.get("/api/v1/metadata?metric=temp_celsius")
            #expect(String(buffer: one.body) == #"{"status":"success","data":{"temp_celsius":[{"type":"gauge","help":"Room temperature.","unit":"celsius"}]}}"#)
            let limited = try await client.get("/api/v1/metadata?limit=1")
            #expect(String(buffer: limited.body).hasPrefix(#"{"status":"success","data":{"requests_total":"#))
            #expect(!String(buffer: limited.body).contains("temp_celsius"))
            let unknown = try await client.get("/api/v1/metadata?metric=nothing_here")
            #expect(String(buffer: unknown.body) == #"{"status":"success","data":{}}"#)
            let bad = try await client.get("/api/v1/metadata?limit=ten")
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body) == #"{"status":"error","errorType":"bad_data","error":"limit must be a number"}"#)
        }
    }

    @Test func newestMetadataComesFirstAndDuplicatesCollapse() {
        let store = MetricMetadataStore(maxMetrics: 2, maxPerMetric: 2)
        store.record(Self.requests, for: "a")
        store.record(Self.temperature, for: "a")
        store.record(Self.requests, for: "a")
        store.record(MetricMetadata(type: .summary), for: "a")
        store.record(Self.requests, for: "b")
        store.record(Self.requests, for: "c")
        let found = store.lookup()
        #expect(found.map(\.name) == ["a", "b"])
        #expect(found[0].metadata == [MetricMetadata(type: .summary), Self.requests])
        #expect(store.lookup(limitPerMetric: 1)[0].metadata == [MetricMetadata(type: .summary)])
    }

    @Test func exemplarQueriesAnswerLikePrometheusWithoutExemplars() async throws {
        try await withSurge { client in
            let withSelector = try await client.get("/api/v1/query_exemplars?query=\(q("rate(x[5m])"))&start=0&end=100")
            #expect(String(buffer: withSelector.body) == #"{"status":"success","data":[]}"#)
            let withoutSelector = try await client.postForm("/api/v1/query_exemplars", "query=1%2B1")
            #expect(String(buffer: withoutSelector.body) == #"{"status":"success","data":null}"#)
            let bad = try await client.get("/api/v1/query_exemplars?query=\(q("rate(x"))")
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains(#""errorType":"bad_data""#))
            let backwards = try await client.get("/api/v1/query_exemplars?query=x&start=10&end=5")
            #expect(String(buffer: backwards.body).contains("end timestamp must not be before start timestamp"))
        }
    }

    @Test func statsReportTimingsAndSamples() async throws {
        try await withSurge { client in
            let samples = (0..<20).map { (1_700_000_000_000 + Int64($0) * 15_000, Double($0)) }
            #expect(try await client.write([series(["__name__": "c", "i": "1"], samples), series(["__name__": "c", "i": "2"], samples)]).status == .noContent)
            let plain = try await client.get("/api/v1/query?query=\(q("sum(rate(c[1m]))"))&time=1700000285")
            #expect(!String(buffer: plain.body).contains("stats"))

            let instant = try await client.get("/api/v1/query?query=\(q("sum(rate(c[1m]))"))&time=1700000285&stats=all")
            let data = try #require(try JSONSerialization.jsonObject(with: Data(buffer: instant.body)) as? [String: Any])["data"] as? [String: Any]
            let stats = try #require(data?["stats"] as? [String: Any])
            let timings = try #require(stats["timings"] as? [String: Double])
            #expect(Set(timings.keys) == ["evalTotalTime", "resultSortTime", "queryPreparationTime", "innerEvalTime", "execQueueTime", "execTotalTime"])
            #expect(timings.values.allSatisfy { $0 >= 0 })
            #expect(timings["execTotalTime"]! >= timings["evalTotalTime"]!)
            let counts = try #require(stats["samples"] as? [String: Int])
            // [1m] at 1700000285 is [225 s, 285 s], both ends included: five samples of each series.
            #expect(counts["totalQueryableSamples"] == 10)
            #expect(counts["peakSamples"] == 10)

            let range = try await client.postForm("/api/v1/query_range", "query=c&start=1700000000&end=1700000285&step=15&stats=1")
            let rangeData = try #require(try JSONSerialization.jsonObject(with: Data(buffer: range.body)) as? [String: Any])["data"] as? [String: Any]
            #expect((rangeData?["stats"] as? [String: Any])?["samples"] as? [String: Int] == ["totalQueryableSamples": 40, "peakSamples": 40])
        }
    }
}

/// `/api/v1/status/tsdb` answers in Prometheus' shape and refuses a bad limit as Prometheus does.
@Suite struct TSDBStatusRouteTests {
    @Test func statusHasPrometheusShapeAndHonoursTheLimit() async throws {
        try await withSurge { client in
            let empty = try await client.get("/api/v1/status/tsdb")
            #expect(empty.status == .ok)
            #expect(String(buffer: empty.body) == #"{"status":"success","data":{"headStats":{"numSeries":0,"numLabelPairs":0,"chunkCount":0,"minTime":9223372036854775807,"maxTime":-9223372036854775808},"seriesCountByMetricName":[],"labelValueCountByLabelName":[],"memoryInBytesByLabelName":[],"seriesCountByLabelValuePair":[]}}"#)

            let write = try await client.write([
                series(["__name__": "up", "job": "api", "instance": "a:80"], [(1_700_000_000_000, 1)]),
                series(["__name__": "up", "job": "api", "instance": "b:80"], [(1_700_000_015_000, 0)]),
                series(["__name__": "http_requests_total", "job": "api", "path": "/\"quoted\""], [(1_700_000_000_000, 7)]),
            ])
            #expect(write.status == .noContent)
            let reply = try await client.get("/api/v1/status/tsdb?limit=2")
            #expect(reply.status == .ok)
            #expect(String(buffer: reply.body) == #"{"status":"success","data":{"headStats":{"numSeries":3,"numLabelPairs":6,"chunkCount":3,"minTime":1700000000000,"maxTime":1700000015000},"seriesCountByMetricName":[{"name":"up","value":2},{"name":"http_requests_total","value":1}],"labelValueCountByLabelName":[{"name":"__name__","value":2},{"name":"instance","value":2}],"memoryInBytesByLabelName":[{"name":"__name__","value":21},{"name":"path","value":9}],"seriesCountByLabelValuePair":[{"name":"job=api","value":3},{"name":"__name__=up","value":2}]}}"#)

            for limit in ["0", "-3", "ten"] {
                let bad = try await client.get("/api/v1/status/tsdb?limit=\(limit)")
                #expect(bad.status == .badRequest)
                #expect(String(buffer: bad.body) == #"{"status":"error","errorType":"bad_data","error":"limit must be a positive number"}"#)
            }
        }
    }
}
