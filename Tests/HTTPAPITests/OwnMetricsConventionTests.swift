import Foundation
import HummingbirdTesting
import Testing
import TimeSeriesCore
import WireFormat

/// Surge's own /metrics follow Prometheus' conventions: every family has HELP and TYPE, counters and
/// only counters end in `_total`; with `collectors.self_scrape` they are stored as job `surge`.
@Suite struct OwnMetricsConventionTests {
    @Test func everyFamilyHasHelpAndTypeAndCountersEndInTotal() async throws {
        try await withSurge { client in
            // Something of each kind first: a write, a refused write, a query.
            let now: Int64 = 1_700_000_100_000
            _ = try await client.write([series(["__name__": "x"], [(now, 1)])])
            _ = try await client.write([series(["__name__": "x"], [(now + 3_600_000_000, 1)])])
            _ = try await client.get("/api/v1/query?query=x")
            let text = String(buffer: try await client.get("/metrics").body)
            let exposition = try ExpositionParser.parse(Array(text.utf8), format: .text)
            let families = Dictionary(exposition.metadata.map { ($0.name, $0.metadata) }, uniquingKeysWith: { first, _ in first })
            #expect(families.count >= 20, "\(families.keys.sorted())")
            for (name, metadata) in families {
                #expect(!metadata.help.isEmpty, "\(name) has no HELP")
                #expect((metadata.type == .counter) == name.hasSuffix("_total"), "\(name) is a \(metadata.type)")
            }
            for sample in exposition.samples {
                let name = sample.labels.metricName ?? ""
                let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                    families[name] == nil && name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
                }
                #expect(families[family] != nil, "\(name) has no TYPE")
            }
            #expect(families["surge_storage_rejected_samples_total"]?.type == .counter)
        }
    }

    @Test func selfScrapeStoresOwnMetricsAsJobSurge() async throws {
        try await withSurge(configure: { $0.collect = true; $0.collectCgroups = false; $0.selfScrape = true }) { client in
            var found = ""
            for _ in 0..<50 where !found.contains("surge_head_series") {
                try await Task.sleep(for: .milliseconds(100))
                found = String(buffer: try await client.get("/api/v1/query?query=" + q(#"surge_head_series{job="surge"}"#) + "&time=1700000100").body)
            }
            #expect(found.contains(#""instance":"0.0.0.0:9470""#), "\(found)")
            let up = String(buffer: try await client.get("/api/v1/query?query=" + q(#"up{job="surge"}"#) + "&time=1700000100").body)
            #expect(up.contains(#""value":[1700000100,"1"]"#), "\(up)")
        }
    }
}
