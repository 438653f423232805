import Foundation
import Testing
import TimeSeriesCore
import WireFormat
@testable import Collectors

/// What one scrape stores: target labels, clashes, limits, staleness and the synthetic series.
@Suite struct ScrapeRoundTests {
    static func target(_ labels: [String: String] = [:]) -> ScrapeTarget {
        var config = ScrapeConfig(jobName: "app")
        config.staticConfigs = [.init(targets: ["10.0.0.1:8080"], labels: labels)]
        return config.targets[0]
    }

    static func exposition(_ text: String) throws -> ScrapeRound.Outcome {
        .success(try ExpositionParser.parse(Array(text.utf8), format: .text))
    }

    static func value(_ series: [SeriesSamples], _ labels: [String: String]) -> Double? {
        series.first { $0.labels == Labels(labels) }?.samples.first?.value
    }

    @Test func targetLabelsAttachAndClashingOnesAreRenamed() throws {
        var round = ScrapeRound(target: Self.target(["env": "prod"]))
        let result = round.process(try Self.exposition(#"""
            requests_total{job="batch",instance="x",path="/a"} 5
            temperature{env=""} 21 1700000000000
            """#), at: 1_700_000_015_000, duration: 0.25)
        #expect(result.error == nil)
        #expect(Self.value(result.series, ["__name__": "requests_total", "job": "app", "instance": "10.0.0.1:8080", "env": "prod",
                                          "exported_job": "batch", "exported_instance": "x", "path": "/a"]) == 5)
        // An empty scraped label is no label; the target's fills in. The target's timestamp is kept.
        let temperature = result.series.first { $0.labels == Labels(["__name__": "temperature", "job": "app", "instance": "10.0.0.1:8080", "env": "prod"]) }
        #expect(temperature?.samples == [Sample(timestamp: 1_700_000_000_000, value: 21)])
        let up = ["__name__": "up", "job": "app", "instance": "10.0.0.1:8080", "env": "prod"]
        #expect(Self.value(result.series, up) == 1)
        #expect(Self.value(result.series, up.merging(["__name__": "scrape_duration_seconds"]) { $1 }) == 0.25)
        #expect(Self.value(result.series, up.merging(["__name__": "scrape_samples_scraped"]) { $1 }) == 2)
        #expect(Self.value(result.series, up.merging(["__name__": "scrape_samples_post_metric_relabeling"]) { $1 }) == 2)
        #expect(Self.value(result.series, up.merging(["__name__": "scrape_series_added"]) { $1 }) == 2)
    }

    @Test func honorLabelsKeepsTheScrapedOnes() throws {
        var round = ScrapeRound(target: Self.target(), honorLabels: true, honorTimestamps: false)
        let result = round.process(try Self.exposition("m{job=\"batch\"} 1 1600000000000\n"), at: 1_700_000_000_000, duration: 0.1)
        #expect(result.series[0].labels == Labels(["__name__": "m", "job": "batch", "instance": "10.0.0.1:8080"]))
        #expect(result.series[0].samples[0].timestamp == 1_700_000_000_000)
    }

    @Test func vanishedSeriesAndFailedScrapesGoStale() throws {
        var round = ScrapeRound(target: Self.target(), sampleLimit: 2)
        _ = round.process(try Self.exposition("a 1\nb 2\n"), at: 1000, duration: 0.1)
        let second = round.process(try Self.exposition("a 3\n"), at: 2000, duration: 0.1)
        let b = Labels(["__name__": "b", "job": "app", "instance": "10.0.0.1:8080"])
        #expect(second.series.first { $0.labels == b }.map { StaleNaN.isStale($0.samples[0].value) } == true)
        #expect(Self.value(second.series, ["__name__": "scrape_series_added", "job": "app", "instance": "10.0.0.1:8080"]) == 0)

        // Over the sample limit: nothing stored, the series so far stale, up 0, the reason shown.
        let third = round.process(try Self.exposition("a 1\nb 2\nc 3\n"), at: 3000, duration: 0.1)
        #expect(third.error?.contains("sample limit exceeded") == true)
        let a = Labels(["__name__": "a", "job": "app", "instance": "10.0.0.1:8080"])
        #expect(third.series.first { $0.labels == a }.map { StaleNaN.isStale($0.samples[0].value) } == true)
        #expect(Self.value(third.series, ["__name__": "up", "job": "app", "instance": "10.0.0.1:8080"]) == 0)
        #expect(Self.value(third.series, ["__name__": "scrape_samples_scraped", "job": "app", "instance": "10.0.0.1:8080"]) == 3)
        #expect(Self.value(third.series, ["__name__": "scrape_samples_post_metric_relabeling", "job": "app", "instance": "10.0.0.1:8080"]) == 0)

        let failed = round.process(.failure("connection refused"), at: 4000, duration: 0.01)
        #expect(failed.error == "connection refused")
        #expect(failed.series.count == 5)

        _ = round.process(try Self.exposition("a 1\n"), at: 5000, duration: 0.1)
        let ended = round.end(at: 6000)
        #expect(ended.count == 6 && ended.allSatisfy { StaleNaN.isStale($0.samples[0].value) })
    }

    @Test func targetURLsCarryPathSchemeAndParams() {
        var config = ScrapeConfig(jobName: "federate")
        config.scheme = "https"
        config.metricsPath = "/federate"
        config.params = ["match[]": ["{job=\"a\"}", "up"]]
        config.staticConfigs = [.init(targets: ["prom:9090"], labels: ["instance": "main"])]
        let target = config.targets[0]
        #expect(target.url == "https://prom:9090/federate?match%5B%5D=%7Bjob%3D%22a%22%7D&match%5B%5D=up")
        #expect(target.labels == ["job": "federate", "instance": "main"])
    }

    @Test func authorizationHeaders() {
        let files = ["/secrets/password": "s3cret\n", "/secrets/token": "abc.def\n"]
        func header(_ authorization: ScrapeAuthorization) -> Result<String, ScrapeAuthorizationError> {
            authorization.headerValue { files[$0] }
        }
        #expect(header(.basic(username: "prom", password: "pw", passwordFile: nil)) == .success("Basic cHJvbTpwdw=="))
        #expect(header(.basic(username: "prom", password: nil, passwordFile: "/secrets/password")) == .success("Basic cHJvbTpzM2NyZXQ="))
        #expect(header(.credentials(type: "Bearer", value: nil, file: "/secrets/token")) == .success("Bearer abc.def"))
        #expect(header(.credentials(type: "Token", value: "xyz", file: nil)) == .success("Token xyz"))
        #expect(header(.credentials(type: "Bearer", value: nil, file: "/missing")) == .failure(.init(message: "unable to read authorization credentials file /missing")))
    }

    @Test func fileDiscoveryReadsJSONAndYAMLByGlob() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surge-filesd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"[{"targets": ["10.0.0.1:9100", "10.0.0.2:9100"], "labels": {"env": "prod"}}]"#
            .write(to: dir.appendingPathComponent("a.json"), atomically: true, encoding: .utf8)
        try "- targets: ['10.0.0.3:9100']\n".write(to: dir.appendingPathComponent("b.yml"), atomically: true, encoding: .utf8)
        try "targets: nope\n".write(to: dir.appendingPathComponent("c.yml"), atomically: true, encoding: .utf8)
        try "ignored".write(to: dir.appendingPathComponent("d.txt"), atomically: true, encoding: .utf8)
        let (groups, errors) = FileDiscovery.read([FileSDConfig(files: [dir.path + "/*.json", dir.path + "/*.yml"])])
        #expect(groups.flatMap(\.targets) == ["10.0.0.1:9100", "10.0.0.2:9100", "10.0.0.3:9100"])
        #expect(groups[0].labels == ["env": "prod", "__meta_filepath": dir.path + "/a.json"])
        #expect(errors.count == 1 && errors[0].contains("c.yml") && errors[0].contains("expected a list"))

        var config = ScrapeConfig(jobName: "node")
        config.fileSDConfigs = [FileSDConfig(files: [dir.path + "/a.json"])]
        let targets = config.resolveTargets(discovered: groups).active
        #expect(targets.map(\.labels) == [["job": "node", "instance": "10.0.0.1:9100", "env": "prod"],
                                          ["job": "node", "instance": "10.0.0.2:9100", "env": "prod"],
                                          ["job": "node", "instance": "10.0.0.3:9100"]])
        #expect(targets[0].discoveredLabels["__meta_filepath"] == dir.path + "/a.json")
    }

    @Test func aTargetThatLeavesAndReturnsGetsANewLoop() {
        var config = ScrapeConfig(jobName: "app")
        config.staticConfigs = [.init(targets: ["a:1", "b:1"])]
        let (a, b) = (config.targets[0], config.targets[1])
        let wanted = WantedTargets()
        let first = wanted.replace(with: [a, b])
        #expect(first.count == 2)
        let generationOfA = first.first { $0.0 == a }!.1
        #expect(wanted.replace(with: [a, b]).isEmpty)
        #expect(wanted.replace(with: [b]).isEmpty && !wanted.contains(a))
        let again = wanted.replace(with: [a, b])
        #expect(again.map(\.0) == [a])
        #expect(!wanted.isCurrent(a, generationOfA) && wanted.isCurrent(a, again[0].1))
    }
}

/// Reading bodies against the cache of series texts stores exactly what reading parsed expositions
/// does, scrape after scrape: series that come and go, duplicates, odd spacing and quoting, a body
/// that breaks halfway, and relabelling that drops series.
@Suite struct ScrapeRoundBodyTests {
    static let bodies: [String] = [
        #"""
        # HELP requests_total Requests.
        # TYPE requests_total counter
        requests_total{path="/a",code="200"} 1
        requests_total {path="/b}",code="200"} 2
        requests_total{path="say \"hi\" {x}",code="500"} 3 1700000000000
          temperature 21
        dropped_metric 7
        """#,
        #"""
        requests_total{path="/a",code="200"} 4
        requests_total{path="/a",code="200"} 5
        requests_total {path="/b}",code="200"} 6
        temperature 22
        fresh{a="1"} 1
        dropped_metric 8
        """#,
        "requests_total{path=\"/a\",code=\"200\"} 7\nbroken{a=\"1\" 3\n",
        #"""
        requests_total{code="200",path="/a"} 8
        temperature 23
        """#,
        "temperature 24\n",
        "temperature 25\nrequests_total{path=\"/a\",code=\"200\"} 9\n",
    ]

    @Test(arguments: [0, 3])
    func bodiesAndParsedExpositionsStoreTheSame(sampleLimit: Int) throws {
        let drop = try RelabelRule(action: .drop, sourceLabels: ["__name__"], regex: "dropped_metric")
        var parsed = ScrapeRound(target: ScrapeRoundTests.target(["env": "prod"]), sampleLimit: sampleLimit, metricRelabel: [drop])
        var read = ScrapeRound(target: ScrapeRoundTests.target(["env": "prod"]), sampleLimit: sampleLimit, metricRelabel: [drop])
        for (index, body) in (Self.bodies + Self.bodies).enumerated() {
            let time = 1_700_000_000_000 + Int64(index) * 15_000
            let outcome: ScrapeRound.Outcome
            do {
                outcome = .success(try ExpositionParser.parse(Array(body.utf8), format: .text))
            } catch {
                outcome = .failure("parse error: \(error)")
            }
            let expected = parsed.process(outcome, at: time, duration: 0.1)
            let actual = read.process(.body(Array(body.utf8), .text), at: time, duration: 0.1)
            #expect(actual.error == expected.error, "scrape \(index)")
            #expect(actual.series.map(\.labels) == expected.series.map(\.labels), "scrape \(index)")
            #expect(actual.series.map { $0.samples.map(\.timestamp) } == expected.series.map { $0.samples.map(\.timestamp) }, "scrape \(index)")
            // scrape_series_added counts series new to the cache: by text here, by labels there, so a
            // series written another way (labels reordered) is new only here, as in Prometheus.
            func values(_ series: [SeriesSamples]) -> [[UInt64]] {
                series.filter { $0.labels.metricName != "scrape_series_added" }.map { $0.samples.map(\.value.bitPattern) }
            }
            #expect(values(actual.series) == values(expected.series), "scrape \(index)")
            if index == 0 || index == 3 {
                let added = actual.series.first { $0.labels.metricName == "scrape_series_added" }?.samples.first?.value
                #expect(added == (index == 0 ? (sampleLimit == 3 ? 0 : 4) : 1), "scrape \(index): the new texts, dropped ones not counted")
            }
        }
    }
}
