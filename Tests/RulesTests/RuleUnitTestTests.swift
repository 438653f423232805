import Foundation
import PromQL
@testable import Rules
import Testing
import TimeSeriesCore

/// promtool's unit-test format: the expanding notation, the series store the tests run on, and
/// the runner's verdicts and reports.
@Suite struct RuleUnitTestTests {
    @Test(arguments: [
        ("1 2 _ stale 3", [1, 2, nil, -1, 3]),
        ("-2+4x3", [-2, 2, 6, 10]),
        ("1-2x4", [1, -1, -3, -5, -7]),
        ("7x2 _x3 8", [7, 7, 7, nil, nil, nil, 8]),
        ("0.5+0.25x2", [0.5, 0.75, 1]),
        ("1e3 -Inf +inf", [1000, -.infinity, .infinity]),
        ("1e-1+1e-1x1", [0.1, 0.2]),
    ] as [(String, [Double?])])
    func expandingNotation(_ text: String, _ expected: [Double?]) throws {
        let values = try expandSeriesValues(text)
        // -1 stands for the staleness marker.
        #expect(values.map { $0.map { StaleNaN.isStale($0) ? -1 : $0 } } == expected)
    }

    @Test func additionAccumulatesAsPrometheusAddsUp() throws {
        // 0.1 added ten times is not 1.0 in binary floating point; Prometheus adds, it does not multiply.
        let values = try expandSeriesValues("0+0.1x10")
        var sum = 0.0
        for _ in 0..<10 { sum += 0.1 }
        #expect(values.last! == sum)
        #expect(values.last! != 1.0)
    }

    @Test(arguments: ["1x", "abc", "1+x3", "1+2", "0+1x99999999", "1xx2", "_xy"])
    func badValuesAreRefusedByName(_ text: String) {
        #expect(throws: SeriesValuesError.self) { try expandSeriesValues(text) }
        do { _ = try expandSeriesValues(text) } catch {
            #expect(error.description.contains("\"\(text)\""))
        }
    }

    @Test func seriesAreReadAsPrometheusReadsThem() throws {
        #expect(try Parser.metric(#"up{job="api", instance="a"}"#) == Labels(["__name__": "up", "job": "api", "instance": "a"]))
        #expect(try Parser.metric(#"{__name__="up"}"#) == Labels(["__name__": "up"]))
        #expect(try Parser.metric("{}") == .empty)
        #expect(throws: ParseError.self) { try Parser.metric(#"up{job=~"a.*"}"#) }
        #expect(throws: ParseError.self) { try Parser.metric("sum(up)") }
    }

    @Test func theStoreKeepsTimeOrderAndReplacesASecondValueAtTheSameTime() {
        let store = MemorySeriesStore()
        let up = Labels(["__name__": "up", "job": "a"])
        store.append(up, Sample(timestamp: 2000, value: 2))
        store.append(up, Sample(timestamp: 1000, value: 1))
        store.append(up, Sample(timestamp: 2000, value: 3))
        store.append(Labels(["__name__": "other"]), Sample(timestamp: 1000, value: 9))
        let selected = store.select([try! LabelMatcher(.equal, "__name__", "up")], mint: 0, maxt: 5000)
        #expect(selected == [Series(labels: up, samples: [Sample(timestamp: 1000, value: 1), Sample(timestamp: 2000, value: 3)])])
        #expect(store.select([try! LabelMatcher(.equal, "__name__", "up")], mint: 1500, maxt: 1999).isEmpty)
        #expect(store.labelValues("__name__", matching: [], mint: 0, maxt: 5000) == ["other", "up"])
        #expect(store.labelNames(matching: [], mint: 0, maxt: 5000) == ["__name__", "job"])
    }

    @Test func goForms() {
        #expect(goFloatE(6) == "6E+00")
        #expect(goFloatE(1234.5) == "1.2345E+03")
        #expect(goFloatE(0.00125) == "1.25E-03")
        #expect(goFloatE(0) == "0E+00")
        #expect(goFloatE(-.infinity) == "-Inf")
        #expect(goDurationString(0) == "0s")
        #expect(goDurationString(60_000) == "1m0s")
        #expect(goDurationString(3_630_000) == "1h0m30s")
        #expect(goDurationString(1500) == "1.5s")
        #expect(goDurationString(250) == "250ms")
        #expect(goQuoted("a\"b\\c\n") == #""a\"b\\c\n""#)
    }

    static let runner = RuleTestRunner(
        loadRules: { files in try files.flatMap { try RuleFile.load(path: $0, validateQuery: Parser.problem(in:)) } },
        parseSeries: { try Parser.metric($0) },
        engine: { EmbeddedQueryEngine(querier: $0) })

    static let rules = """
        groups:
        - name: g
          rules:
          - record: job:a:sum
            expr: sum(a)
          - alert: High
            expr: a > 1
            for: 2m
            labels:
              severity: page
            annotations:
              summary: "{{ $labels.x }} is {{ $value }} {{ $externalLabels.region }}"
        """

    /// Writes the rule file and a test file into a new directory; returns the test file's path.
    static func files(_ test: String, rules: String = rules) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("surge-rule-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try rules.write(to: directory.appendingPathComponent("rules.yml"), atomically: true, encoding: .utf8)
        let path = directory.appendingPathComponent("rules.test.yml")
        try test.write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    @Test func aPassingFilePasses() async throws {
        let path = try Self.files("""
            rule_files: [rules.yml]
            tests:
            - interval: 1m
              external_labels: {region: eu}
              input_series:
              - series: a{x="1"}
                values: 0 2 2 2 2 0
              alert_rule_test:
              - eval_time: 1m
                alertname: High
              - eval_time: 3m30s
                alertname: High
                exp_alerts:
                - exp_labels: {severity: page, x: "1"}
                  exp_annotations: {summary: "1 is 2 eu"}
              - eval_time: 6m
                alertname: High
              promql_expr_test:
              - expr: job:a:sum
                eval_time: 4m
                exp_samples:
                - labels: job:a:sum
                  value: 2
              - expr: ALERTS
                eval_time: 3m
                exp_samples:
                - labels: '{__name__="ALERTS", alertname="High", alertstate="firing", severity="page", x="1"}'
                  value: 1
              - expr: scalar(a)
                eval_time: 0m
                exp_samples:
                - labels: '{}'
                  value: 0
            """)
        let outcome = await Self.runner.run(path: path)
        #expect(outcome.failures == [])
        #expect(outcome.passed)
    }

    @Test func failuresReadAsPromtoolPrintsThem() async throws {
        // The reports below are what promtool 2.42 printed for the same files.
        let path = try Self.files("""
            rule_files: [rules.yml, missing*.yml]
            tests:
            - interval: 1m
              name: first
              external_labels: {region: eu}
              input_series:
              - series: a{x="1"}
                values: 0 2 2 2 2 0
              - series: a{x="2"}
                values: 2+1x10
              alert_rule_test:
              - eval_time: 3m30s
                alertname: High
                exp_alerts:
                - exp_labels: {severity: page, x: "1"}
                  exp_annotations: {summary: "1 is 2 eu"}
              promql_expr_test:
              - expr: job:a:sum
                eval_time: 2m
                exp_samples:
                - labels: job:a:sum
                  value: 5
            """)
        let outcome = await Self.runner.run(path: path)
        #expect(outcome.warnings == ["no file match pattern \((path as NSString).deletingLastPathComponent)/missing*.yml"])
        #expect(outcome.failures == [
            """
                name: first,
                alertname: High, time: 3m30s, 
                    exp:[
                        0:
                          Labels:{alertname="High", severity="page", x="1"}
                          Annotations:{summary="1 is 2 eu"}
                        ], 
                    got:[
                        0:
                          Labels:{alertname="High", severity="page", x="1"}
                          Annotations:{summary="1 is 2 eu"},
                        1:
                          Labels:{alertname="High", severity="page", x="2"}
                          Annotations:{summary="2 is 5 eu"}
                        ]
            """,
            """
                expr: "job:a:sum", time: 2m,
                    exp: {__name__="job:a:sum"} 5E+00
                    got: {__name__="job:a:sum"} 6E+00
            """,
        ])
    }

    @Test func aRuleThatFailsStopsTheGroupWithItsErrorAndAFailingQueryIsReported() async throws {
        let input = """
            - interval: 1m
              input_series:
              - series: a{x="1"}
                values: 1 1
              - series: a{x="2"}
                values: 1 1
              - series: b
                values: 1 1
              promql_expr_test:
              - expr: a / on() b
                eval_time: 1m
            """
        let failingRule = try Self.files("rule_files: [rules.yml]\ntests:\n" + input,
                                         rules: "groups:\n- name: g\n  rules:\n  - record: bad\n    expr: a / on() b\n")
        let outcome = await Self.runner.run(path: failingRule)
        #expect(outcome.failures.count == 1)
        #expect(outcome.failures.first?.hasPrefix("    rule: bad, time: 0s, err: ") == true)
        let failingQuery = try Self.files("rule_files: [rules.yml]\ntests:\n" + input)
        let second = await Self.runner.run(path: failingQuery)
        #expect(second.failures.count == 1)
        #expect(second.failures.first?.hasPrefix(#"    expr: "a / on() b", time: 1m, err: "#) == true)
    }

    @Test func badFilesNameTheLine() async throws {
        let unknown = try Self.files("rule_files: [rules.yml]\nfoo: 1\ntests: []\n")
        let outcome = await Self.runner.run(path: unknown)
        #expect(outcome.failures.count == 1)
        #expect(outcome.failures.first?.contains("rules.test.yml:2: unknown field \"foo\"") == true)
        let badValues = try Self.files("tests:\n- interval: 1m\n  input_series:\n  - series: a\n    values: 1 1x\n")
        #expect(await Self.runner.run(path: badValues).failures.first?.hasSuffix("rules.test.yml:4: bad series value \"1x\": \"x\" must be followed by a count") == true)
        let repeated = try Self.files("group_eval_order: [g, g]\ntests: []\n")
        #expect(await Self.runner.run(path: repeated).failures.first?.contains("group name repeated in evaluation order: g") == true)
    }
}
