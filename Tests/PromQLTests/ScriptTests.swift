import Foundation
import TimeSeriesCore
import Testing
@testable import PromQL

/// Runs the conformance scripts in `Scripts/`, written in the Prometheus test-script language:
///
/// ```
/// load 5m
///   http_requests{job="api"}  0+10x10 _ stale 1 -2-1x3
/// eval instant at 50m sum(http_requests)
///   {} 100
/// eval range from 0 to 10m step 5m http_requests
///   {__name__="http_requests", job="api"} 0 10 20
/// eval_ordered instant at 50m sort(x)      (the order of the lines is checked)
/// eval_fail instant at 0m foo +            (the query must fail)
/// clear
/// ```
@Suite struct ScriptTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts")

    static var scripts: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".test") }.sorted()
    }

    @Test func everyScriptIsFound() {
        #expect(Self.scripts.count >= 10)
    }

    @Test(arguments: scripts)
    func script(_ name: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        var runner = ScriptRunner(file: name)
        try runner.run(text)
        #expect(runner.evaluations > 0, "\(name) evaluates nothing")
    }
}

struct ScriptError: Error, CustomStringConvertible {
    let description: String
}

/// Interprets one script; every failed expectation is recorded as an issue naming file:line.
struct ScriptRunner {
    let file: String
    private var series: [Labels: [Sample]] = [:]
    private(set) var evaluations = 0

    init(file: String) { self.file = file }

    mutating func run(_ text: String) throws {
        let lines = text.components(separatedBy: "\n")
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            let number = index + 1
            index += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            // A command's body: the indented lines that follow it.
            var body: [(Int, String)] = []
            while index < lines.count, let first = lines[index].first, first == " " || first == "\t" {
                let content = lines[index].trimmingCharacters(in: .whitespaces)
                if !content.isEmpty && !content.hasPrefix("#") { body.append((index + 1, content)) }
                index += 1
            }
            if line == "clear" {
                series = [:]
            } else if line.hasPrefix("load ") {
                try load(String(line.dropFirst(5)), body, at: number)
            } else if line.hasPrefix("eval") {
                try eval(line, body, at: number)
            } else {
                throw ScriptError(description: "\(file):\(number): unknown command \(line)")
            }
        }
    }

    private func fail(_ line: Int, _ message: String) {
        Issue.record("\(file):\(line): \(message)")
    }

    // MARK: load

    private mutating func load(_ interval: String, _ body: [(Int, String)], at line: Int) throws {
        guard let step = parseDuration(interval.trimmingCharacters(in: .whitespaces)) else {
            throw ScriptError(description: "\(file):\(line): bad load interval \(interval)")
        }
        for (number, text) in body {
            let (labels, rest) = try splitSeries(text, at: number)
            for (position, value) in try expandValues(rest, at: number).enumerated() {
                guard let value else { continue }
                series[labels, default: []].append(Sample(timestamp: Int64(position) * step, value: value))
            }
            series[labels]?.sort { $0.timestamp < $1.timestamp }
        }
    }

    /// `name{a="b"} rest` into labels and the rest of the line.
    private func splitSeries(_ text: String, at line: Int) throws -> (Labels, String) {
        var depth = 0
        var inString = false
        var end = text.endIndex
        for i in text.indices {
            let c = text[i]
            if c == "\"" && (i == text.startIndex || text[text.index(before: i)] != "\\") { inString.toggle() }
            if inString { continue }
            if c == "{" { depth += 1 }
            if c == "}" { depth -= 1; if depth == 0 { end = text.index(after: i); break } }
            if depth == 0 && (c == " " || c == "\t") { end = i; break }
        }
        let selector = String(text[..<end])
        let rest = String(text[end...]).trimmingCharacters(in: .whitespaces)
        return (try labels(selector, at: line), rest)
    }

    private func labels(_ selector: String, at line: Int) throws -> Labels {
        do { return try Parser.metric(selector) } catch {
            throw ScriptError(description: "\(file):\(line): bad series \(selector): \(error)")
        }
    }

    private func expandValues(_ text: String, at line: Int) throws -> [Double?] {
        do { return try expandSeriesValues(text) } catch {
            throw ScriptError(description: "\(file):\(line): \(error)")
        }
    }

    /// One value in series notation (`1.5`, `Inf`, `NaN`).
    private func number(_ text: String) -> Double? {
        guard let values = try? expandSeriesValues(text), values.count == 1 else { return nil }
        return values[0]
    }

    // MARK: eval

    private mutating func eval(_ line: String, _ body: [(Int, String)], at number: Int) throws {
        evaluations += 1
        var words = line.split(separator: " ", maxSplits: 1).map(String.init)
        let command = words[0]
        var rest = words.count > 1 ? words[1] : ""
        let engine = Engine(querier: FixedQuerier(all: series.map { Series(labels: $0.key, samples: $0.value) }))
        let result: Result<QueryValue, Error>
        if rest.hasPrefix("instant at ") {
            rest = String(rest.dropFirst("instant at ".count))
            words = rest.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2, let at = parseDuration(words[0]) ?? (words[0] == "0" ? 0 : nil) else {
                throw ScriptError(description: "\(file):\(number): bad eval line")
            }
            result = Result { try engine.instant(try Parser.parse(words[1]), at: at) }
        } else if rest.hasPrefix("range from ") {
            let parts = rest.split(separator: " ", maxSplits: 7).map(String.init)
            guard parts.count == 8, parts[3] == "to", parts[5] == "step",
                  let start = parseDuration(parts[2]) ?? (parts[2] == "0" ? 0 : nil),
                  let end = parseDuration(parts[4]), let step = parseDuration(parts[6]) else {
                throw ScriptError(description: "\(file):\(number): bad eval range line")
            }
            result = Result { try engine.range(try Parser.parse(parts[7]), start: start, end: end, step: step) }
        } else {
            throw ScriptError(description: "\(file):\(number): bad eval line")
        }
        if command == "eval_fail" {
            if case .success(let value) = result { fail(number, "expected an error, got \(value)") }
            return
        }
        var grid: (start: Int64, step: Int64)?
        if rest.hasPrefix("range from ") {
            let parts = rest.split(separator: " ").map(String.init)
            grid = (parseDuration(parts[2]) ?? 0, parseDuration(parts[6]) ?? 1)
        }
        let value: QueryValue
        switch result {
        case .failure(let error):
            fail(number, "unexpected error: \(error)")
            return
        case .success(let v):
            value = v
        }
        try compare(value, body, ordered: command == "eval_ordered", grid: grid, at: number)
    }

    private func compare(_ value: QueryValue, _ body: [(Int, String)], ordered: Bool, grid: (start: Int64, step: Int64)?,
                         at line: Int) throws {
        switch value {
        case .scalar(_, let got):
            guard body.count == 1, let expected = number(body[0].1) else {
                fail(line, "scalar result \(got), expected \(body.map(\.1))")
                return
            }
            if !Self.close(expected, got) { fail(body[0].0, "expected scalar \(expected), got \(got)") }
        case .string(_, let got):
            fail(line, "string result \(got) cannot be compared")
        case .vector(let elements):
            var expected: [(Int, Labels, Double)] = []
            for (number, text) in body {
                let (labels, rest) = try splitSeries(text, at: number)
                guard let value = self.number(rest) else { throw ScriptError(description: "\(file):\(number): bad value \(rest)") }
                expected.append((number, labels, value))
            }
            if elements.count != expected.count {
                fail(line, "expected \(expected.count) elements, got \(elements.count): \(elements.map { "\($0.labels) \($0.value)" })")
            }
            for (position, (number, labels, value)) in expected.enumerated() {
                guard let index = elements.firstIndex(where: { $0.labels == labels }) else {
                    fail(number, "no element \(labels) in \(elements.map { "\($0.labels) \($0.value)" })")
                    continue
                }
                if !Self.close(value, elements[index].value) { fail(number, "\(labels): expected \(value), got \(elements[index].value)") }
                if ordered && index != position { fail(number, "\(labels) is at position \(index), expected \(position)") }
            }
        case .matrix(let series):
            var expected: [(Int, Labels, [Double?])] = []
            for (number, text) in body {
                let (labels, rest) = try splitSeries(text, at: number)
                expected.append((number, labels, try expandValues(rest, at: number)))
            }
            if series.count != expected.count {
                fail(line, "expected \(expected.count) series, got \(series.count): \(series.map(\.labels))")
            }
            for (number, labels, values) in expected {
                guard let got = series.first(where: { $0.labels == labels }) else {
                    fail(number, "no series \(labels) in \(series.map(\.labels))")
                    continue
                }
                // On a range query's grid every expected value has its step time; `_` is a step without one.
                let present: [(Timestamp?, Double)] = values.enumerated().compactMap { position, value in
                    value.map { (grid.map { $0.start + Int64(position) * $0.step }, $0) }
                }
                if got.samples.count != present.count || zip(present, got.samples).contains(where: { expected, sample in
                    !Self.close(expected.1, sample.value) || (expected.0 != nil && expected.0 != sample.timestamp)
                }) {
                    fail(number, "\(labels): expected \(values.map { $0.map { "\($0)" } ?? "_" }), got \(got.samples.map { "\($0.timestamp):\($0.value)" })")
                }
            }
        }
    }

    /// Equal within 1e-6 relative, NaN equal to NaN, as Prometheus' test scripts compare.
    static func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a == b { return true }
        return Swift.abs(a - b) <= 1e-6 * Swift.max(Swift.abs(a), Swift.abs(b))
    }
}
