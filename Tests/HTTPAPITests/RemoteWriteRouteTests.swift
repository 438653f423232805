import HTTPTypes
import HummingbirdTesting
import NIOCore
import SurgeTestKit
import TimeSeriesCore
import Testing
import WireFormat

@Suite struct RemoteWriteRouteTests {
    @Test func v1WriteIsAcknowledgedWith204AndQueryable() async throws {
        try await withSurge { client in
            let response = try await client.write([series(["__name__": "up", "job": "a"], [(1_700_000_000_000, 1)])])
            #expect(response.status == .noContent)
            #expect(response.headers[HTTPField.Name("X-Prometheus-Remote-Write-Samples-Written")!] == nil)
            let query = try await client.get("/api/v1/query?query=up&time=1700000000")
            #expect(String(buffer: query.body)
                == #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"a"},"value":[1700000000,"1"]}]}}"#)
        }
    }

    @Test func v2WriteReportsSamplesWritten() async throws {
        try await withSurge { client in
            let response = try await client.write(
                [series(["__name__": "x", "a": "b"], [(1000, 1), (2000, 2)]), series(["__name__": "y"], [(1000, 3)])], version: .v2)
            #expect(response.status == .noContent)
            #expect(response.headers[HTTPField.Name("X-Prometheus-Remote-Write-Samples-Written")!] == "3")
            #expect(response.headers[HTTPField.Name("X-Prometheus-Remote-Write-Histograms-Written")!] == "0")
        }
    }

    @Test func staleMarkersAreStoredAndEndTheSeries() async throws {
        try await withSurge { client in
            _ = try await client.write([series(["__name__": "s"], [(1_000_000, 5), (1_010_000, StaleNaN.value)])])
            let before = try await client.get("/api/v1/query?query=s&time=1005")
            #expect(String(buffer: before.body).contains(#""value":[1005,"5"]"#))
            let after = try await client.get("/api/v1/query?query=s&time=1020")
            #expect(String(buffer: after.body).contains(#""result":[]"#))
        }
    }

    struct BadRequest: Sendable, CustomTestStringConvertible {
        let name: String
        let body: [UInt8]
        let contentType: String?
        let encoding: String?
        let status: HTTPResponse.Status
        let message: String
        var testDescription: String { name }
    }

    static let badRequests: [BadRequest] = {
        let good = RemoteWriteEncoder.encode([series(["__name__": "up"], [(1, 1)])], version: .v1)
        let v1 = RemoteWriteVersion.v1ContentType
        func encoded(_ labels: [Label], _ version: RemoteWriteVersion = .v1) -> [UInt8] {
            RemoteWriteEncoder.encode([.init(labels: labels, samples: [Sample(timestamp: 1, value: 1)])], version: version)
        }
        let invalidUTF8: [UInt8] = {
            let label: [UInt8] = [0x0a, 3] + Array("job".utf8) + [0x12, 2, 0xc3, 0x28]
            let ts: [UInt8] = [0x0a, UInt8(label.count)] + label
            return Snappy.compress([0x0a, UInt8(ts.count)] + ts)
        }()
        return [
            BadRequest(name: "corrupt snappy", body: [0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2], contentType: v1, encoding: "snappy",
                       status: .badRequest, message: "snappy"),
            BadRequest(name: "corrupt protobuf", body: Snappy.compress([0x0a, 0x7f, 0x01]), contentType: v1, encoding: "snappy",
                       status: .badRequest, message: "protobuf"),
            BadRequest(name: "corrupt v2 protobuf", body: Snappy.compress([0x2a, 0x7f, 0x01]), contentType: RemoteWriteVersion.v2ContentType,
                       encoding: "snappy", status: .badRequest, message: "protobuf"),
            BadRequest(name: "empty label name", body: encoded([Label("", "x")]), contentType: v1, encoding: "snappy",
                       status: .badRequest, message: "label name is empty"),
            BadRequest(name: "duplicate label", body: encoded([Label("a", "1"), Label("a", "2")], .v2),
                       contentType: RemoteWriteVersion.v2ContentType, encoding: "snappy", status: .badRequest, message: "duplicate label name"),
            BadRequest(name: "unsorted labels", body: encoded([Label("b", "1"), Label("a", "2")]), contentType: v1, encoding: "snappy",
                       status: .badRequest, message: "not sorted"),
            BadRequest(name: "invalid UTF-8", body: invalidUTF8, contentType: v1, encoding: "snappy",
                       status: .badRequest, message: "not valid UTF-8"),
            BadRequest(name: "too large", body: Snappy.compress([UInt8](repeating: 0, count: 70_000)), contentType: v1, encoding: "snappy",
                       status: .badRequest, message: "exceeds the limit"),
            BadRequest(name: "unknown content type", body: good, contentType: "application/json", encoding: "snappy",
                       status: .unsupportedMediaType, message: "unsupported content type"),
            BadRequest(name: "unknown proto", body: good, contentType: "application/x-protobuf;proto=foo.Bar", encoding: "snappy",
                       status: .unsupportedMediaType, message: "unsupported content type"),
            BadRequest(name: "unknown encoding", body: good, contentType: v1, encoding: "gzip",
                       status: .unsupportedMediaType, message: "unsupported content encoding"),
        ]
    }()

    @Test(arguments: badRequests)
    func badBodiesAreRefusedAndEarlierDataKept(request: BadRequest) async throws {
        try await withSurge(configure: { $0.remoteWriteMaxDecodedBytes = 65_536 }) { client in
            #expect(try await client.write([series(["__name__": "kept"], [(1_700_000_000_000, 1)])]).status == .noContent)
            let response = try await client.writeRaw(request.body, contentType: request.contentType, encoding: request.encoding)
            #expect(response.status == request.status)
            let text = String(buffer: response.body)
            #expect(text.contains(request.message), "\(text)")
            #expect(text.split(separator: "\n").count == 1)
            let kept = try await client.get("/api/v1/query?query=kept&time=1700000000")
            #expect(String(buffer: kept.body).contains(#""value":[1700000000,"1"]"#))
            let metrics = String(buffer: try await client.get("/metrics").body)
            #expect(metrics.contains(#"surge_remote_write_requests_total{code="\#(request.status.code)"} 1"#))
        }
    }

    @Test func outOfOrderSamplesAreRefusedWith400AndTheRestStored() async throws {
        try await withSurge { client in
            _ = try await client.write([series(["__name__": "o"], [(2000, 2)])])
            let response = try await client.write([series(["__name__": "o"], [(1000, 1), (3000, 3)]), series(["__name__": "p"], [(1000, 1)])])
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains("out of order sample"))
            let range = try await client.get("/api/v1/query_range?query=o&start=1&end=3&step=1")
            #expect(String(buffer: range.body).contains(#""values":[[2,"2"],[3,"3"]]"#))
        }
    }

    @Test func aBodyOfTheOtherVersionIsRefusedAndNothingIsAcknowledged() async throws {
        try await withSurge { client in
            let body = [series(["__name__": "v"], [(1_700_000_000_000, 1)])]
            let v1AsV2 = try await client.writeRaw(RemoteWriteEncoder.encode(body, version: .v1), contentType: RemoteWriteVersion.v2ContentType)
            #expect(v1AsV2.status == .badRequest && String(buffer: v1AsV2.body).contains("remote-write 1.0 WriteRequest"))
            let v2AsV1 = try await client.writeRaw(RemoteWriteEncoder.encode(body, version: .v2), contentType: RemoteWriteVersion.v1ContentType)
            #expect(v2AsV1.status == .badRequest && String(buffer: v2AsV1.body).contains("remote-write 2.0 Request"))
        }
    }

    /// The test server's clock reads 1_700_000_100_000; the default future window is 10 minutes.
    @Test func samplesFarAheadOfTheClockAreRefusedNamingTheWindow() async throws {
        try await withSurge { client in
            let response = try await client.write([series(["__name__": "f"], [(1_700_000_100_000, 1), (1_700_000_700_001, 2)]),
                                                   series(["__name__": "g"], [(Int64.max, 3)])])
            #expect(response.status == .badRequest)
            let text = String(buffer: response.body)
            #expect(text.contains("sample too far in the future") && text.contains("future_window (600000ms)")
                    && text.contains("(2 of 3 samples refused, the rest stored)"), "\(text)")
            let metrics = String(buffer: try await client.get("/metrics").body)
            #expect(metrics.contains(#"surge_storage_rejected_samples_total{reason="too_far_in_future"} 2"#), "\(metrics)")
            #expect(try await client.write([series(["__name__": "f"], [(1_700_000_700_000, 4)])]).status == .noContent)
        }
    }

    @Test func limitsAnswer400NamingTheLimitCountTheRefusalsAndKeepTheRest() async throws {
        try await withSurge(configure: { config in
            config.storage.limits.maxSeries = 2
            config.storage.limits.maxLabelValueLength = 8
            config.remoteWriteLimits.maxSamplesPerRequest = 4
        }) { client in
            #expect(try await client.write([series(["__name__": "m", "pod": "a"], [(1000, 1)])]).status == .noContent)
            let seriesLimit = try await client.write([
                series(["__name__": "m", "pod": "a"], [(2000, 2)]),
                series(["__name__": "m", "pod": "b"], [(2000, 2)]),
                series(["__name__": "m", "pod": "c"], [(2000, 2)]),
            ])
            #expect(seriesLimit.status == .badRequest)
            #expect(String(buffer: seriesLimit.body).contains("max_series is 2"))
            #expect(String(buffer: seriesLimit.body).contains("(1 of 3 samples refused, the rest stored)"), "\(String(buffer: seriesLimit.body))")

            let longValue = try await client.write([series(["__name__": "m", "pod": "a-very-long-pod"], [(3000, 3)])])
            #expect(longValue.status == .badRequest)
            #expect(String(buffer: longValue.body).contains("max_label_value_length (8)"), "\(String(buffer: longValue.body))")

            let tooMany = try await client.write([series(["__name__": "m", "pod": "a"], (3...7).map { (Int64($0) * 1000, 9) })])
            #expect(tooMany.status == .badRequest)
            #expect(String(buffer: tooMany.body).contains("request has 5 samples, more than remote_write_receiver.max_samples_per_request (4); nothing was stored"))

            let range = try await client.get("/api/v1/query_range?query=m&start=1&end=7&step=1")
            let body = String(buffer: range.body)
            #expect(body.contains(#"{"metric":{"__name__":"m","pod":"a"},"values":[[1,"1"],[2,"2"],[3,"2"],[4,"2"],[5,"2"],[6,"2"],[7,"2"]]}"#), "\(body)")
            #expect(body.contains(#"{"metric":{"__name__":"m","pod":"b"},"values":[[2,"2"]"#), "\(body)")
            #expect(!body.contains(#""pod":"c""#) && !body.contains("a-very-long-pod"), "\(body)")

            let metrics = String(buffer: try await client.get("/metrics").body)
            for (reason, count) in [("max_series", 1), ("max_label_value_length", 1), ("max_samples_per_request", 5)] {
                #expect(metrics.contains(#"surge_remote_write_rejected_samples_total{reason="\#(reason)"} \#(count)"#), "\(reason): \(metrics)")
            }
        }
    }
}
