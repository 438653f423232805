import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
@testable import WireFormat

/// What the scrape endpoints write reads back through the parser Surge's scrapes use, in both formats.
@Suite struct ExpositionWriterTests {
    static let families = [
        ExpositionFamily(name: "requests_total", metadata: MetricMetadata(type: .counter, help: "Requests \\ served\nso far."), samples: [
            ExpositionSample(labels: Labels(["__name__": "requests_total", "path": "/a\"b\\c\nd"]), value: 12, timestamp: 1_700_000_000_123),
        ]),
        ExpositionFamily(name: "temperature", metadata: MetricMetadata(type: .gauge, help: "Now."), samples: [
            ExpositionSample(labels: Labels(["__name__": "temperature"]), value: -0.5),
            ExpositionSample(labels: Labels(["__name__": "temperature", "room": "b"]), value: .infinity),
        ]),
        ExpositionFamily(name: "node_vmstat_pgfault", metadata: MetricMetadata(type: .unknown), samples: [
            ExpositionSample(labels: Labels(["__name__": "node_vmstat_pgfault"]), value: 1e20),
        ]),
    ]

    @Test func textFormatReadsBack() throws {
        let text = String(decoding: ExpositionWriter.write(Self.families, format: .text), as: UTF8.self)
        #expect(text.contains("# HELP requests_total Requests \\\\ served\\nso far.\n# TYPE requests_total counter\n"))
        #expect(text.contains("# TYPE node_vmstat_pgfault untyped\n"))
        #expect(text.contains(#"requests_total{path="/a\"b\\c\nd"} 12 1700000000123"#))
        let parsed = try ExpositionParser.parse(Array(text.utf8), format: .text)
        #expect(parsed.samples == Self.families.flatMap(\.samples))
        #expect(parsed.metadata.first { $0.name == "requests_total" }?.metadata == MetricMetadata(type: .counter, help: "Requests \\ served\nso far."))
    }

    @Test func openMetricsNamesCounterFamiliesWithoutTotalAndEnds() throws {
        let text = String(decoding: ExpositionWriter.write(Self.families, format: .openMetrics), as: UTF8.self)
        #expect(text.contains("# TYPE requests counter\nrequests_total{"))
        #expect(text.contains(" 12 1700000000.123\n"))
        #expect(text.contains("# TYPE node_vmstat_pgfault unknown\n"))
        #expect(text.hasSuffix("# EOF\n"))
        let parsed = try ExpositionParser.parse(Array(text.utf8), format: .openMetrics)
        #expect(parsed.samples == Self.families.flatMap(\.samples))
    }

    @Test(arguments: [
        (nil, ExpositionFormat.text),
        ("text/plain", .text),
        (ExpositionFormat.acceptHeader, .openMetrics),
        ("application/openmetrics-text;version=1.0.0;q=0.2,text/plain;q=0.9", .text),
        ("application/openmetrics-text; version=1.0.0", .openMetrics),
        ("application/openmetrics-text;q=0,*/*", .text),
        ("application/json", .text),
    ])
    func acceptChoosesTheFormat(accept: String?, format: ExpositionFormat) {
        #expect(ExpositionFormat(accept: accept) == format)
    }

    @Test func gzipIsReadByGunzip() throws {
        var seed = SplitMix(seed: 7)
        let body = (0..<50_000).map { _ in UInt8(ascii: "a") + UInt8(seed.next() % 8) }
        let compressed = Gzip.compress(body)
        #expect(compressed.count < body.count / 2)
        #expect(Array(compressed.prefix(2)) == [0x1f, 0x8b])
        let dir = try TemporaryDirectory(prefix: "surge-gzip")
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("body.gz")
        try Data(compressed).write(to: file)
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", file.path]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        #expect(gunzip.terminationStatus == 0)
        #expect(Array(output) == body)
        #expect(Gzip.compress([]).count > 0)
    }

    @Test(arguments: [("gzip", true), ("deflate, gzip;q=0.5", true), ("gzip;q=0", false), ("br", false), (nil, false), ("x-gzip", true)])
    func acceptEncoding(header: String?, gzip: Bool) {
        #expect(Gzip.accepted(by: header) == gzip)
    }
}
