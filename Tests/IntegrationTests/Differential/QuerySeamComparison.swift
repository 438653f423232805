import QueryClient
import TimeSeriesCore

/// The query seam over HTTP (`HTTPQueryEngine`) asked the same queries of Surge and of Prometheus:
/// the typed answers (vectors, matrices, scalars, strings, errors by kind) must be equal.
enum QuerySeamComparison {
    static let instantQueries = [
        "http_requests_total", "weird_values", "1 + 2", #""a string""#, "time()", "NaN", "-Inf", "vector(1)",
        "rate(http_requests_total[5m])", "http_requests_total[5m]", "sum by (code) (rate(http_requests_total[5m]))",
        "histogram_quantile(0.9, rate(request_duration_seconds_bucket[5m]))", "nonexistent_metric",
    ]
    static let rangeQueries = ["rate(http_requests_total[5m])", "weird_values", "time()", "sum(flaky_gauge)"]
    static let refused = [("rate(", QueryError.Kind.badData), (#"{__name__=~"(a)\\1"}"#, .badData)]

    /// Differences, one line each; empty when the two agree.
    static func differences(surge: String, prometheus: String, at time: Timestamp, start: Timestamp, end: Timestamp) async -> [String] {
        let (ours, theirs) = (HTTPQueryEngine(base: surge), HTTPQueryEngine(base: prometheus))
        var out: [String] = []
        for query in instantQueries {
            await compare(query, &out, engines: (ours, theirs)) { try await $0.instant(query, at: time) }
        }
        for query in rangeQueries {
            await compare(query, &out, engines: (ours, theirs)) { try await $0.range(query, start: start, end: end, step: 45_500) }
        }
        for (query, kind) in refused {
            for engine in [ours, theirs] {
                do {
                    _ = try await engine.instant(query, at: time)
                    out.append("\(query): \(engine.base) answered, expected \(kind)")
                } catch let error as QueryError {
                    if error.kind != kind { out.append("\(query): \(engine.base) refused with \(error.kind), expected \(kind)") }
                } catch {
                    out.append("\(query): \(engine.base) threw \(error)")
                }
            }
        }
        return out
    }

    static func compare(_ query: String, _ out: inout [String], engines: (HTTPQueryEngine, HTTPQueryEngine),
                        _ ask: (HTTPQueryEngine) async throws -> QueryValue) async {
        do {
            let (a, b) = (try await ask(engines.0), try await ask(engines.1))
            if !agree(a, b) { out.append("\(query): surge \(normalized(a)) vs prometheus \(normalized(b))") }
        } catch {
            out.append("\(query): \(error)")
        }
    }

    /// The same type, series, labels and timestamps, and values equal to within float rounding
    /// (the two engines add in different orders).
    static func agree(_ a: QueryValue, _ b: QueryValue) -> Bool {
        func close(_ x: Double, _ y: Double) -> Bool {
            if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
            if x == y { return true }
            return abs(x - y) <= 1e-9 * max(abs(x), abs(y))
        }
        switch (a, b) {
        case (.vector(let x), .vector(let y)):
            let (x, y) = (x.sorted { $0.labels < $1.labels }, y.sorted { $0.labels < $1.labels })
            return x.count == y.count && zip(x, y).allSatisfy { $0.labels == $1.labels && $0.timestamp == $1.timestamp && close($0.value, $1.value) }
        case (.matrix(let x), .matrix(let y)):
            let (x, y) = (x.sorted { $0.labels < $1.labels }, y.sorted { $0.labels < $1.labels })
            return x.count == y.count && zip(x, y).allSatisfy { one, other in
                one.labels == other.labels && one.samples.count == other.samples.count
                    && zip(one.samples, other.samples).allSatisfy { $0.timestamp == $1.timestamp && close($0.value, $1.value) }
            }
        case (.scalar(let t, let x), .scalar(let u, let y)):
            return t == u && close(x, y)
        case (.string(let t, let x), .string(let u, let y)):
            return t == u && x == y
        default:
            return false
        }
    }

    /// Series in label order, NaN as one value, for messages.
    static func normalized(_ value: QueryValue) -> String {
        func number(_ value: Double) -> String { value.isNaN ? "NaN" : "\(value)" }
        switch value {
        case .vector(let elements):
            return "vector " + elements.sorted { $0.labels < $1.labels }.map { "\($0.labels)@\($0.timestamp)=\(number($0.value))" }.joined(separator: ", ")
        case .matrix(let series):
            return "matrix " + series.sorted { $0.labels < $1.labels }.map { one in
                "\(one.labels)[" + one.samples.map { "\($0.timestamp)=\(number($0.value))" }.joined(separator: " ") + "]"
            }.joined(separator: ", ")
        case .scalar(let timestamp, let value):
            return "scalar \(timestamp)=\(number(value))"
        case .string(let timestamp, let text):
            return "string \(timestamp)=\(text)"
        }
    }
}
