import Testing
import TimeSeriesCore
@testable import WireFormat

@Suite struct ExpositionParserTests {
    static func parse(_ text: String, _ format: ExpositionFormat = .text) throws -> Exposition {
        try ExpositionParser.parse(Array(text.utf8), format: format)
    }

    static func sample(_ labels: [String: String], _ value: Double, _ timestamp: Timestamp? = nil) -> ExpositionSample {
        ExpositionSample(labels: Labels(labels), value: value, timestamp: timestamp)
    }

    @Test func textFormatWithEveryFeature() throws {
        let text = #"""
            # HELP http_requests_total The total number of HTTP requests.\nSecond line \\ and \"kept\"
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400",} 3 1395066363000

            # A comment that is not HELP or TYPE.
            msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
            metric_without_timestamp_and_labels 12.47
              leading_blanks	{ a = "1" }   -Inf
            something_weird{problem="division by zero"} +Inf -3982045
            nan_value NaN
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.5"} 4773
            rpc_duration_seconds_sum 1.7560473e+07
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            # TYPE legacy untyped
            legacy:recorded_rate 5
            """#
        let exposition = try Self.parse(text)
        let expected: [ExpositionSample] = [
            Self.sample(["__name__": "http_requests_total", "method": "post", "code": "200"], 1027, 1_395_066_363_000),
            Self.sample(["__name__": "http_requests_total", "method": "post", "code": "400"], 3, 1_395_066_363_000),
            Self.sample(["__name__": "msdos_file_access_time_seconds", "path": #"C:\DIR\FILE.TXT"#, "error": "Cannot find file:\n\"FILE.TXT\""], 1.458255915e9),
            Self.sample(["__name__": "metric_without_timestamp_and_labels"], 12.47),
            Self.sample(["__name__": "leading_blanks", "a": "1"], -.infinity),
            Self.sample(["__name__": "something_weird", "problem": "division by zero"], .infinity, -3_982_045),
            Self.sample(["__name__": "nan_value"], .nan),
            Self.sample(["__name__": "rpc_duration_seconds", "quantile": "0.5"], 4773),
            Self.sample(["__name__": "rpc_duration_seconds_sum"], 1.7560473e+07),
            Self.sample(["__name__": "http_request_duration_seconds_bucket", "le": "+Inf"], 144_320),
            Self.sample(["__name__": "legacy:recorded_rate"], 5),
        ]
        #expect(exposition.samples.count == expected.count)
        for (got, want) in zip(exposition.samples, expected) { #expect(got == want) }
        #expect(exposition.metadata.map(\.name) == ["http_requests_total", "rpc_duration_seconds", "http_request_duration_seconds", "legacy"])
        #expect(exposition.metadata[0].metadata == MetricMetadata(
            type: .counter, help: "The total number of HTTP requests.\nSecond line \\ and \\\"kept\\\""))
        #expect(exposition.metadata[3].metadata.type == .unknown)
    }

    @Test func openMetricsWithUnitsExemplarsAndSecondTimestamps() throws {
        let text = #"""
            # TYPE acme_http_router_request_seconds summary
            # UNIT acme_http_router_request_seconds seconds
            # HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router, \"quoted\".
            acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
            acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0 1520879607.789
            # TYPE foo counter
            foo_total 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67
            foo_created 1520430000.123
            # TYPE cpu stateset
            cpu{cpu="a"} 1
            # EOF
            """#
        let exposition = try Self.parse(text + "\n", .openMetrics)
        #expect(exposition.samples.map(\.labels[metricNameLabel]) == [
            "acme_http_router_request_seconds_sum", "acme_http_router_request_seconds_count", "foo_total", "foo_created", "cpu",
        ])
        #expect(exposition.samples[1].timestamp == 1_520_879_607_789)
        #expect(exposition.samples[2] == Self.sample(["__name__": "foo_total"], 17, 1_520_879_607_789))
        #expect(exposition.metadata[0].metadata == MetricMetadata(
            type: .summary, help: #"Latency though all of ACME's HTTP request router, "quoted"."#, unit: "seconds"))
        #expect(exposition.metadata.first { $0.name == "cpu" }?.metadata.type == .stateset)
        // Without a final newline too.
        #expect(try Self.parse(text, .openMetrics).samples.count == 5)
    }

    @Test(arguments: [
        ("metric", ExpositionFormat.text, 1, 7, "expected a value"),
        ("metric 0x1p3", .text, 1, 8, "invalid value"),
        ("metric 1_000", .text, 1, 8, "invalid value"),
        ("metric 1 2.5", .text, 1, 10, "invalid timestamp"),
        ("metric 1 # {a=\"b\"} 1", .text, 1, 10, "after the value"),
        ("metric{a=\"1\" b=\"2\"} 1", .text, 1, 14, "expected , or }"),
        ("metric{a=\"1} 1", .text, 1, 15, "unterminated label value"),
        ("metric{a=1} 1", .text, 1, 10, "quoted label value"),
        ("metric{a=\"1\",a=\"2\"} 1", .text, 1, 22, "duplicate label name"),
        ("metric{1a=\"1\"} 1", .text, 1, 8, "expected a label name"),
        ("9metric 1", .text, 1, 1, "expected a metric name"),
        ("ok 1\n# TYPE metric countr", .text, 2, 15, "invalid metric type"),
        ("# TYPE metric untyped\n# EOF", .openMetrics, 1, 15, "invalid metric type"),
        ("metric 1", .openMetrics, 2, 1, "does not end with # EOF"),
        ("metric 1\n\n# EOF", .openMetrics, 2, 1, "unexpected empty line"),
        ("# EOF\nmetric 1", .openMetrics, 2, 1, "after # EOF"),
        ("# comment\n# EOF", .openMetrics, 1, 3, "unknown comment"),
        ("# HELP m bad \\x escape\n# EOF", .openMetrics, 1, 14, "invalid escape"),
        ("m_total 1 # {a=\"b\"}\n# EOF", .openMetrics, 1, 20, "exemplar value"),
    ])
    func malformedInputSaysWhereAndWhy(text: String, format: ExpositionFormat, line: Int, column: Int, message: String) {
        do throws(ExpositionError) {
            _ = try ExpositionParser.parse(Array(text.utf8), format: format)
            Issue.record("\(text.debugDescription) parsed")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.column == column, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func contentTypeNegotiation() {
        #expect(ExpositionFormat(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(ExpositionFormat(contentType: "text/plain; version=0.0.4") == .text)
        #expect(ExpositionFormat(contentType: nil) == .text)
        #expect(ExpositionFormat.acceptHeader.hasPrefix("application/openmetrics-text;version=1.0.0"))
    }

    @Test func mangledInputNeverTraps() {
        let base = Array(#"""
            # HELP m help \\ \n text
            # TYPE m histogram
            m_bucket{le="0.5",path="/a\"b\\c\n"} 1.5e3 1700000000000
            m_sum 4 # {t="x"} 1 2
            # EOF
            """#.utf8)
        var state: UInt64 = 7
        for _ in 0..<3_000 {
            var bytes = base
            for _ in 0..<3 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let position = Int(state >> 33) % bytes.count
                bytes[position] = UInt8(truncatingIfNeeded: state >> 17)
            }
            for format in [ExpositionFormat.text, .openMetrics] {
                _ = try? ExpositionParser.parse(bytes, format: format)
                _ = try? ExpositionParser.parse(Array(bytes.prefix(Int(state % UInt64(bytes.count)))), format: format)
            }
        }
    }
}
