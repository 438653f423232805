import Foundation
import TimeSeriesCore
import YAMLFiles

/// Runs a rule unit-test file as `promtool test rules` does: each test group loads its input
/// series, evaluates every rule group at each evaluation interval from time 0 to the latest
/// `eval_time`, compares the firing alerts at each alert test's time, and then runs the PromQL
/// tests against everything loaded and recorded. Failures read as promtool prints them.
public struct RuleTestRunner: Sendable {
    /// Reads rule files (already globbed) into groups, validated as `surge rules check` does.
    public var loadRules: @Sendable ([String]) throws -> [RuleGroup]
    /// A series written `name{a="b"}`: its labels.
    public var parseSeries: @Sendable (String) throws -> Labels
    /// The query engine over a store of series.
    public var engine: @Sendable (MemorySeriesStore) -> any QueryEngine
    /// What templates' `query` runs over the store; nil leaves `query` failing in templates.
    public var templateQuery: (@Sendable (MemorySeriesStore) -> @Sendable (String, Timestamp) throws -> QueryValue)?

    public init(loadRules: @escaping @Sendable ([String]) throws -> [RuleGroup], parseSeries: @escaping @Sendable (String) throws -> Labels,
                engine: @escaping @Sendable (MemorySeriesStore) -> any QueryEngine,
                templateQuery: (@Sendable (MemorySeriesStore) -> @Sendable (String, Timestamp) throws -> QueryValue)? = nil) {
        self.templateQuery = templateQuery
        self.loadRules = loadRules
        self.parseSeries = parseSeries
        self.engine = engine
    }

    public struct Outcome: Sendable, Equatable {
        /// Rule file patterns that matched no file.
        public var warnings: [String] = []
        /// Each failed expectation or error, in promtool's words; empty when the file passed.
        public var failures: [String] = []
        public var passed: Bool { failures.isEmpty }
    }

    public func run(path: String) async -> Outcome {
        var outcome = Outcome()
        let file: RuleTestFile
        do { file = try RuleTestFile.load(path: path) } catch {
            outcome.failures = ["\(error)"]
            return outcome
        }
        let directory = (path as NSString).deletingLastPathComponent
        var ruleFiles: [String] = []
        for pattern in file.ruleFiles {
            let resolved = pattern.hasPrefix("/") || pattern.isEmpty ? pattern : (directory.isEmpty ? pattern : directory + "/" + pattern)
            let matches = expandFilePatterns([resolved]).filter { FileManager.default.fileExists(atPath: $0) }
            if matches.isEmpty { outcome.warnings.append("no file match pattern \(resolved)") }
            ruleFiles += matches
        }
        for test in file.tests {
            outcome.failures += await run(test, in: file, ruleFiles: ruleFiles)
        }
        return outcome
    }

    /// One test group, on a store of its own.
    func run(_ test: RuleTestFile.TestGroup, in file: RuleTestFile, ruleFiles: [String]) async -> [String] {
        let input: [(Labels, [Sample])]
        do { input = try inputSeries(test, path: file.path) } catch { return ["\(error)"] }
        let groups: [RuleGroup]
        do { groups = try ordered(loadRules(ruleFiles), by: file.groupEvalOrder) } catch { return ["\(error)"] }
        let store = MemorySeriesStore()
        let defaults = GroupEvaluation.Defaults(interval: file.evaluationInterval,
                                                externalLabels: test.externalLabels, externalURL: test.externalURL,
                                                templateQuery: templateQuery?(store))
        var evaluations = groups.map { GroupEvaluation(group: $0, defaults: defaults) }
        let testName = test.name.isEmpty ? "" : "    name: \(test.name),\n"
        for alertTest in test.alertTests where alertTest.alertname.isEmpty {
            return ["an item under alert_rule_test misses required attribute alertname at eval_time \(formatDuration(alertTest.evalTime))"
                    + (test.name.isEmpty ? "" : " (in TestGroup \(test.name))")]
        }
        let alertTimes = Set(test.alertTests.map(\.evalTime)).sorted()
        let lastTime = (test.alertTests.map(\.evalTime) + test.exprTests.map(\.evalTime)).max() ?? 0

        let engine = self.engine(store)
        var loaded = Array(repeating: 0, count: input.count)
        var failures: [String] = []
        var nextAlertTime = 0
        let interval = file.evaluationInterval
        var time: Timestamp = 0
        while time <= lastTime {
            // Input arrives as time passes, as promtool's lazy loader adds it.
            for (index, (labels, samples)) in input.enumerated() {
                while loaded[index] < samples.count && samples[loaded[index]].timestamp <= time {
                    store.append(labels, samples[loaded[index]])
                    loaded[index] += 1
                }
            }
            var ruleErrors: [String] = []
            for index in evaluations.indices {
                _ = await evaluations[index].evaluate(at: time, query: { query, at in try await engine.instant(query, at: at) }, write: { samples in
                    for sample in samples { store.append(sample.labels, Sample(timestamp: sample.timestamp, value: sample.value)) }
                })
                for (position, rule) in evaluations[index].group.rules.enumerated() {
                    if let error = evaluations[index].health[position]?.error {
                        ruleErrors.append("    rule: \(rule.name), time: \(goDurationString(time)), err: \(error)")
                    }
                }
            }
            failures += ruleErrors
            if !ruleErrors.isEmpty { return failures }

            while nextAlertTime < alertTimes.count, alertTimes[nextAlertTime] >= time, alertTimes[nextAlertTime] < time + interval {
                let at = alertTimes[nextAlertTime]
                for alertTest in test.alertTests where alertTest.evalTime == at {
                    let got = Self.firing(alertTest.alertname, in: evaluations)
                    let expected = alertTest.expected.map { alert in
                        ExpectedAlert(labels: Labels(alert.labels.merging(["alertname": alertTest.alertname]) { _, name in name }),
                                      annotations: Labels(alert.annotations))
                    }.sorted()
                    if got != expected {
                        failures.append("\(testName)    alertname: \(alertTest.alertname), time: \(formatDuration(at)), \n"
                                        + "        exp:\(indent(Self.describe(expected), "            ")), \n"
                                        + "        got:\(indent(Self.describe(got), "            "))")
                    }
                }
                nextAlertTime += 1
            }
            time += interval
        }

        for exprTest in test.exprTests {
            let head = "    expr: \(goQuoted(exprTest.expr)), time: \(formatDuration(exprTest.evalTime))"
            let got: [(Labels, Double)]
            do {
                got = try Self.samples(await engine.instant(exprTest.expr, at: exprTest.evalTime))
            } catch {
                failures.append("\(head), err: \(error)")
                continue
            }
            var expected: [(Labels, Double)] = []
            do {
                for sample in exprTest.expected {
                    do { expected.append((try parseSeries(sample.labels), sample.value)) } catch {
                        throw RuleEvaluationError("labels \(goQuoted(sample.labels)): \(error)")
                    }
                }
            } catch {
                failures.append("\(head), err: \(error)")
                continue
            }
            let sortedExpected = expected.sorted { $0.0 <= $1.0 }, sortedGot = got.sorted { $0.0 <= $1.0 }
            // Values compare as Go's reflect.DeepEqual compares float64s: NaN equals nothing.
            let same = sortedExpected.count == sortedGot.count
                && zip(sortedExpected, sortedGot).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            if !same {
                failures.append("\(head),\n        exp: \(Self.describe(sortedExpected))\n        got: \(Self.describe(sortedGot))")
            }
        }
        return failures
    }

    /// The input series with their samples at multiples of the test's interval.
    private func inputSeries(_ test: RuleTestFile.TestGroup, path: String) throws -> [(Labels, [Sample])] {
        var bySeries: [Labels: [Sample]] = [:]
        var seen: [Labels: Set<Timestamp>] = [:]
        var order: [Labels] = []
        for input in test.inputSeries {
            let location = "\(path)\(input.line.map { ":\($0)" } ?? "")"
            let labels: Labels
            do { labels = try parseSeries(input.series) } catch {
                throw RuleEvaluationError("\(location): series \(goQuoted(input.series)): \(error)")
            }
            let values: [Double?]
            do { values = try expandSeriesValues(input.values) } catch {
                throw RuleEvaluationError("\(location): \(error)")
            }
            if bySeries[labels] == nil { order.append(labels) }
            for (position, value) in values.enumerated() {
                guard let value else { continue }
                let timestamp = Int64(position) * test.interval
                // A second value at the same time is refused, as Prometheus' storage refuses it
                // (an interval of 0 puts every value at time 0).
                guard seen[labels, default: []].insert(timestamp).inserted else { continue }
                bySeries[labels, default: []].append(Sample(timestamp: timestamp, value: value))
            }
        }
        return order.map { ($0, (bySeries[$0] ?? []).sorted { $0.timestamp < $1.timestamp }) }
    }

    /// Groups named in `group_eval_order` first, in that order; the rest as their files have them.
    private func ordered(_ groups: [RuleGroup], by order: [String]) -> [RuleGroup] {
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return groups.enumerated().sorted { a, b in
            let (ra, rb) = (rank[a.element.name] ?? order.count, rank[b.element.name] ?? order.count)
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }

    struct ExpectedAlert: Comparable {
        var labels: Labels
        var annotations: Labels
        static func < (a: Self, b: Self) -> Bool { a.labels != b.labels ? a.labels < b.labels : a.annotations < b.annotations }
    }

    /// Firing alerts of every alerting rule with this name, in every group.
    static func firing(_ name: String, in evaluations: [GroupEvaluation]) -> [ExpectedAlert] {
        evaluations.flatMap { evaluation in
            evaluation.alertStates.values.filter { $0.rule.alert == name }.flatMap { state in
                state.active.values.filter { $0.state == .firing }.map { ExpectedAlert(labels: $0.labels, annotations: Labels($0.annotations)) }
            }
        }.sorted()
    }

    static func samples(_ value: QueryValue) throws -> [(Labels, Double)] {
        switch value {
        case .vector(let elements): return elements.map { ($0.labels, $0.value) }
        case .scalar(_, let value): return [(.empty, value)]
        default: throw RuleEvaluationError("rule result is not a vector or scalar")
        }
    }

    static func describe(_ alerts: [ExpectedAlert]) -> String {
        guard !alerts.isEmpty else { return "[]" }
        let items = alerts.enumerated().map { index, alert in
            "\(index):" + indent("\nLabels:\(goLabels(alert.labels))\nAnnotations:\(goLabels(alert.annotations))", "  ")
        }
        return "[\n" + items.joined(separator: ",\n") + "\n]"
    }

    static func describe(_ samples: [(Labels, Double)]) -> String {
        samples.isEmpty ? "nil" : samples.map { "\(goLabels($0.0)) \(goFloatE($0.1))" }.joined(separator: ", ")
    }
}

/// Every line after the first prefixed with `prefix`, as promtool indents its reports.
private func indent(_ text: String, _ prefix: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        .map { $0.offset == 0 ? String($0.element) : prefix + $0.element }.joined(separator: "\n")
}

/// Labels as Go's labels.Labels prints them: `{__name__="up", job="api"}`.
func goLabels(_ labels: Labels) -> String {
    "{" + labels.pairs.map { "\($0.name)=\(goQuoted($0.value))" }.joined(separator: ", ") + "}"
}

/// Go's strconv.FormatFloat(value, 'E', -1, 64): `6E+00`, `1.25E-03`, `+Inf`, `NaN`.
func goFloatE(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
    if value == 0 { return value.sign == .minus ? "-0E+00" : "0E+00" }
    let (negative, digits, exponent) = shortestDecimalDigits(value)
    return goExponentForm(negative: negative, digits: digits, exponent: exponent).uppercased()
}

/// Whole milliseconds as Go's time.Duration prints them: `0s`, `1m0s`, `1h0m30s`, `1.5s`, `250ms`.
func goDurationString(_ milliseconds: Int64) -> String {
    if milliseconds == 0 { return "0s" }
    let negative = milliseconds < 0
    let total = milliseconds.magnitude
    if total < 1000 { return (negative ? "-" : "") + "\(total)ms" }
    let hours = total / 3_600_000, minutes = total / 60_000 % 60, seconds = total / 1000 % 60, fraction = total % 1000
    var secondsText = "\(seconds)"
    if fraction > 0 {
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        secondsText += "." + digits
    }
    var out = negative ? "-" : ""
    if hours > 0 { out += "\(hours)h\(minutes)m" } else if minutes > 0 { out += "\(minutes)m" }
    return out + secondsText + "s"
}
