import Foundation
import Testing
import TimeSeriesCore
import WireFormat
@testable import Collectors

/// Relabeling as Prometheus defines it, rule by rule, for targets and for scraped series.
@Suite struct RelabelingTests {
    static let base = ["__name__": "http_requests_total", "job": "api", "instance": "10.0.0.1:8080", "path": "/v1/users", "code": "503"]

    @Test func everyAction() throws {
        func apply(_ rule: RelabelRule, _ labels: [String: String] = Self.base) -> [String: String]? { Relabeling.apply([rule], to: labels) }
        let replace = try RelabelRule(sourceLabels: ["job", "code"], targetLabel: "svc", regex: "(api);(5..)", replacement: "${1}-err$2")
        #expect(apply(replace)?["svc"] == "api-err503")
        // No match: nothing changes. An empty result removes the target label.
        #expect(apply(try RelabelRule(sourceLabels: ["job"], targetLabel: "svc", regex: "web")) == Self.base)
        #expect(apply(try RelabelRule(sourceLabels: ["missing"], targetLabel: "path"))?["path"] == nil)
        // The target label may use capture groups; an invalid result leaves the labels alone.
        #expect(apply(try RelabelRule(sourceLabels: ["code"], targetLabel: "status_$1", regex: "(5)..", replacement: "bad"))?["status_5"] == "bad")
        #expect(apply(try RelabelRule(sourceLabels: ["code"], targetLabel: "$1x", regex: "(5)..")) == Self.base)
        #expect(apply(try RelabelRule(action: .keep, sourceLabels: ["code"], regex: "2..")) == nil)
        #expect(apply(try RelabelRule(action: .keep, sourceLabels: ["code"], regex: "5..")) == Self.base)
        #expect(apply(try RelabelRule(action: .drop, sourceLabels: ["__name__"], regex: "http_.*")) == nil)
        #expect(apply(try RelabelRule(action: .keepequal, sourceLabels: ["job"], targetLabel: "job")) == Self.base)
        #expect(apply(try RelabelRule(action: .dropequal, sourceLabels: ["job"], targetLabel: "job")) == nil)
        #expect(apply(try RelabelRule(action: .uppercase, sourceLabels: ["job"], targetLabel: "team"))?["team"] == "API")
        #expect(apply(try RelabelRule(action: .lowercase, sourceLabels: ["missing"], targetLabel: "job"))?["job"] == nil)
        let mapped = apply(try RelabelRule(action: .labelmap, regex: "__meta_(.+)", replacement: "$1"), ["__meta_zone": "a", "job": "x"])
        #expect(mapped == ["__meta_zone": "a", "zone": "a", "job": "x"])
        #expect(apply(try RelabelRule(action: .labeldrop, regex: "code|path")) == Self.base.filter { $0.key != "code" && $0.key != "path" })
        #expect(apply(try RelabelRule(action: .labelkeep, regex: "__name__|job")) == ["__name__": "http_requests_total", "job": "api"])
    }

    @Test func hashmodShardsAsPrometheusDoes() throws {
        // Expected values from Python's hashlib: the digest's last 8 bytes, big-endian, modulo.
        for (value, modulus, shard) in [("10.0.0.1:8080", UInt64(8), "4"), ("10.0.0.1:8080", 1000, "260"), ("", 8, "6")] {
            let rule = try RelabelRule(action: .hashmod, sourceLabels: ["instance"], targetLabel: "__tmp_shard", modulus: modulus)
            #expect(Relabeling.apply([rule], to: value.isEmpty ? [:] : ["instance": value])?["__tmp_shard"] == shard)
        }
        let joined = try RelabelRule(action: .hashmod, sourceLabels: ["job", "code"], targetLabel: "shard", modulus: 8)
        #expect(Relabeling.apply([joined], to: Self.base)?["shard"] == "5")
        #expect(try RelabelRule(action: .hashmod, targetLabel: "x").problem?.contains("non-zero modulus") == true)
    }

    @Test func md5TestVectors() {
        func hex(_ text: String) -> String { MD5.digest(Array(text.utf8)).map { String(format: "%02x", $0) }.joined() }
        #expect(hex("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(hex("abc") == "900150983cd24fb0d6963f7d28e17f72")
        #expect(hex("The quick brown fox jumps over the lazy dog") == "9e107d9d372bb6826bd81d3542a419d6")
        #expect(hex(String(repeating: "a", count: 200)) == "887f30b43b2867f4a9accceee7d16e6c")
    }

    @Test func rulesApplyInOrderToTheRunningResult() throws {
        let rules = [
            try RelabelRule(sourceLabels: ["path"], targetLabel: "version", regex: "/(v[0-9]+)/.*"),
            try RelabelRule(action: .keep, sourceLabels: ["version"], regex: "v1"),
            try RelabelRule(action: .labeldrop, regex: "path"),
        ]
        #expect(Relabeling.apply(rules, to: Self.base)?["version"] == "v1")
        #expect(Relabeling.apply(rules, to: Self.base)?["path"] == nil)
        #expect(Relabeling.apply(rules, to: Self.base.merging(["path": "/v2/x"]) { $1 }) == nil)
    }

    @Test func targetRelabelingRewritesAddressPathAndParameters() throws {
        var config = ScrapeConfig(jobName: "blackbox")
        config.metricsPath = "/probe"
        config.staticConfigs = [.init(targets: ["example.com:443", "skip.me:80"], labels: ["env": "prod"])]
        config.relabelConfigs = [
            try RelabelRule(action: .drop, sourceLabels: ["__address__"], regex: "skip\\..*"),
            try RelabelRule(sourceLabels: ["__address__"], targetLabel: "__param_target"),
            try RelabelRule(sourceLabels: ["__param_target"], targetLabel: "instance"),
            try RelabelRule(targetLabel: "__address__", replacement: "127.0.0.1:9115"),
        ]
        let (active, dropped) = config.resolveTargets()
        #expect(active.count == 1)
        #expect(active[0].url == "http://127.0.0.1:9115/probe?target=example.com%3A443")
        #expect(active[0].labels == ["job": "blackbox", "instance": "example.com:443", "env": "prod"])
        #expect(active[0].discoveredLabels["__address__"] == "example.com:443")
        #expect(dropped.map { $0["__address__"] } == ["skip.me:80"])
    }

    @Test func metricRelabelingDropsAndRenamesScrapedSeries() throws {
        var config = ScrapeConfig(jobName: "app")
        config.staticConfigs = [.init(targets: ["10.0.0.1:8080"])]
        var round = ScrapeRound(target: config.targets[0], sampleLimit: 2, metricRelabel: [
            try RelabelRule(action: .drop, sourceLabels: ["__name__"], regex: "go_.*"),
            try RelabelRule(sourceLabels: ["handler"], targetLabel: "route"),
            try RelabelRule(action: .labeldrop, regex: "handler"),
        ])
        let text = "go_goroutines 12\ngo_threads 8\nrequests_total{handler=\"/a\"} 3\nup_since 1\n"
        let result = round.process(.success(try ExpositionParser.parse(Array(text.utf8), format: .text)), at: 1000, duration: 0.1)
        // Four scraped, two kept: within the sample limit of 2, which counts what relabeling leaves.
        #expect(result.error == nil)
        let names = result.series.compactMap { $0.labels[metricNameLabel] }
        #expect(names.contains("requests_total") && names.contains("up_since") && !names.contains("go_goroutines"))
        #expect(result.series.first { $0.labels[metricNameLabel] == "requests_total" }?.labels["route"] == "/a")
        func synthetic(_ name: String) -> Double? {
            result.series.first { $0.labels == Labels(["__name__": name, "job": "app", "instance": "10.0.0.1:8080"]) }?.samples[0].value
        }
        #expect(synthetic("scrape_samples_scraped") == 4)
        #expect(synthetic("scrape_samples_post_metric_relabeling") == 2)
    }
}
