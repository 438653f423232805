import Hummingbird
import PromQL
import TimeSeriesCore

/// The Prometheus query API over a querier: /api/v1/query, query_range, series, labels, label values.
public struct QueryAPI: Sendable {
    /// The most points one series of a range query may have, as in Prometheus.
    static let maxPointsPerSeries: Int64 = 11_000

    /// The longest a query may run unless its `timeout` parameter asks for less, as Prometheus'
    /// `--query.timeout`.
    static let defaultTimeout: Int64 = 120_000

    let querier: any SeriesQuerier
    let engine: Engine
    let now: @Sendable () -> Timestamp

    public init(querier: any SeriesQuerier, lookbackDelta: Int64 = 5 * 60 * 1000, maxSamples: Int = 50_000_000,
                now: @escaping @Sendable () -> Timestamp) {
        self.querier = querier
        self.engine = Engine(querier: querier, lookbackDelta: lookbackDelta, maxSamples: maxSamples)
        self.now = now
    }

    /// The engine with the request's timeout.
    private func engine(_ parameters: FormParameters) throws -> Engine {
        var engine = self.engine
        let requested = try parameters.duration("timeout") ?? Self.defaultTimeout
        engine.timeout = .milliseconds(min(max(requested, 1), Self.defaultTimeout))
        return engine
    }

    private func apiError(_ error: EvaluationError) -> APIError {
        switch error.kind {
        case .timeout: APIError(.timeout, error.description)
        case .execution, .tooManySamples: APIError(.execution, error.description)
        }
    }

    func parse(_ query: String?) throws -> Expression {
        guard let query, !query.isEmpty else {
            throw APIError.invalidParameter("query", "query must not be empty")
        }
        do {
            return try Parser.parse(query)
        } catch {
            throw APIError.invalidParameter("query", error.description)
        }
    }

    /// Longer queries are parsed off the event loop, with the rest of their work.
    static let inlineParseBytes = 4096

    /// `/api/v1/query`: the query is parsed once, both to size it and to answer it.
    func instantQuery(_ parameters: FormParameters) -> APIAnswer {
        if (parameters.first("query")?.utf8.count ?? 0) > Self.inlineParseBytes {
            return APIAnswer(small: false) { try instant(try parse(parameters.first("query")), parameters) }
        }
        let expression: Expression
        do { expression = try parse(parameters.first("query")) } catch { return .inline { throw error } }
        return APIAnswer(small: isSmall(expression, parameters)) { try instant(expression, parameters) }
    }

    private func instant(_ expression: Expression, _ parameters: FormParameters) throws -> String {
        let time = try parameters.time("time", default: now())
        let engine = try engine(parameters)
        let started = ContinuousClock.now
        var statistics = QueryStatistics()
        let value: QueryValue
        do {
            value = try engine.instant(expression, at: time, statistics: &statistics)
        } catch {
            throw apiError(error)
        }
        return QueryResultEncoder.encode(value, stats: Self.stats(parameters, statistics, since: started))
    }

    /// The `stats` object when the request has a non-empty `stats` parameter, as Prometheus gives it.
    /// Per-step sample counts (`stats=all`) are not computed and so not included.
    private static func stats(_ parameters: FormParameters, _ statistics: QueryStatistics, since started: ContinuousClock.Instant) -> String? {
        guard let value = parameters.first("stats"), !value.isEmpty else { return nil }
        return QueryResultEncoder.encode(statistics, total: ContinuousClock.now - started)
    }

    /// `/api/v1/query_range`: the query is parsed once, both to size it and to answer it.
    func rangeQuery(_ parameters: FormParameters) -> APIAnswer {
        if (parameters.first("query")?.utf8.count ?? 0) > Self.inlineParseBytes {
            return APIAnswer(small: false) { try range(try parse(parameters.first("query")), parameters) }
        }
        let expression: Expression
        do { expression = try parse(parameters.first("query")) } catch { return .inline { throw error } }
        return APIAnswer(small: isSmall(expression, parameters)) { try range(expression, parameters) }
    }

    private func range(_ expression: Expression, _ parameters: FormParameters) throws -> String {
        guard parameters.first("start") != nil else { throw APIError.invalidParameter("start", "missing") }
        guard parameters.first("end") != nil else { throw APIError.invalidParameter("end", "missing") }
        let start = try parameters.time("start", default: 0)
        let end = try parameters.time("end", default: 0)
        guard end >= start else {
            throw APIError.invalidParameter("end", "end timestamp must not be before start time")
        }
        guard let step = try parameters.duration("step") else { throw APIError.invalidParameter("step", "missing") }
        guard step > 0 else {
            throw APIError.invalidParameter("step", "zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        // Times may be anywhere in Int64's range; a span that overflows is as good as too long.
        let (span, overflow) = end.subtractingReportingOverflow(start)
        guard !overflow, span / step < Self.maxPointsPerSeries else {
            throw APIError(.badData, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        guard expression.type == .scalar || expression.type == .vector else {
            throw APIError(.badData, "invalid expression type \(jsonQuoted(expression.typeName)) for range query, must be Scalar or instant Vector")
        }
        let engine = try engine(parameters)
        let started = ContinuousClock.now
        var statistics = QueryStatistics()
        do {
            let value = try engine.range(expression, start: start, end: end, step: step, statistics: &statistics)
            return QueryResultEncoder.encode(value, stats: Self.stats(parameters, statistics, since: started))
        } catch {
            throw apiError(error)
        }
    }

    /// The most series times steps a query may touch and still run on the loop that read it.
    static let inlineWork = 100_000

    /// Whether a query is small enough to answer where its request was read: its selectors pick few
    /// series (by the index alone) over few steps, and it has no subquery.
    func isSmall(_ expression: Expression, _ parameters: FormParameters) -> Bool {
        let selectors = expression.selectors
        if selectors.isEmpty { return true }
        if expression.hasSubquery { return false }
        var steps: Int64 = 1
        if let start = try? parameters.time("start", default: 0), let end = try? parameters.time("end", default: 0),
           let step = try? parameters.duration("step"), step > 0, end >= start {
            steps = (end &- start) / step + 1
        }
        var series = 0
        for selector in selectors {
            series += querier.estimatedSeriesCount(selector.matchers)
            let (work, overflow) = Int64(series).multipliedReportingOverflow(by: steps)
            if overflow || work > Int64(Self.inlineWork) { return false }
        }
        return true
    }

    /// `match[]` selectors; each must be an instant vector selector.
    func matcherSets(_ parameters: FormParameters) throws -> [[LabelMatcher]] {
        try Self.matcherSets(parameters.all("match[]"))
    }

    /// Series selectors' matchers, as `/api/v1/series` and `/federate` take them.
    static func matcherSets(_ texts: [String]) throws(APIError) -> [[LabelMatcher]] {
        try texts.map { text throws(APIError) in
            let expression: Expression
            do {
                expression = try Parser.parse(text)
            } catch {
                throw APIError.invalidParameter("match[]", "\(error)")
            }
            guard case .vectorSelector(let selector) = expression else {
                throw APIError.invalidParameter("match[]", "\(text) is not an instant vector selector")
            }
            return selector.matchers
        }
    }

    func series(_ parameters: FormParameters) throws -> String {
        let sets = try matcherSets(parameters)
        guard !sets.isEmpty else { throw APIError(.badData, "no match[] parameter provided") }
        let start = try parameters.time("start", default: minQueryTime)
        let end = try parameters.time("end", default: maxQueryTime)
        var seen = Set<Labels>()
        for matchers in sets { seen.formUnion(querier.series(matchers, mint: start, maxt: end)) }
        var json = JSONWriter()
        json.raw("[")
        for (i, labels) in seen.sorted().enumerated() {
            if i > 0 { json.raw(",") }
            json.labels(labels)
        }
        json.raw("]")
        return json.text
    }

    /// `/api/v1/query_exemplars`: Surge keeps no exemplars, so a valid request answers with none (and
    /// `null` for an expression without selectors, as Prometheus does); invalid ones fail alike.
    func exemplars(_ parameters: FormParameters) throws -> String {
        let start = try parameters.time("start", default: minQueryTime)
        let end = try parameters.time("end", default: maxQueryTime)
        guard end >= start else { throw APIError(.badData, "end timestamp must not be before start timestamp") }
        let expression: Expression
        do {
            expression = try Parser.parse(parameters.first("query") ?? "")
        } catch {
            throw APIError(.badData, error.description)
        }
        return expression.selectors.isEmpty ? "null" : "[]"
    }

    func labelNames(_ parameters: FormParameters) throws -> String {
        let sets = try matcherSets(parameters)
        let start = try parameters.time("start", default: minQueryTime)
        let end = try parameters.time("end", default: maxQueryTime)
        var json = JSONWriter()
        json.stringArray(querier.labelNames(matching: sets, mint: start, maxt: end))
        return json.text
    }

    func labelValues(_ name: String, _ parameters: FormParameters) throws -> String {
        guard isValidLabelName(name) else { throw APIError(.badData, "invalid label name: \(jsonQuoted(name))") }
        let sets = try matcherSets(parameters)
        let start = try parameters.time("start", default: minQueryTime)
        let end = try parameters.time("end", default: maxQueryTime)
        var json = JSONWriter()
        json.stringArray(querier.labelValues(name, matching: sets, mint: start, maxt: end))
        return json.text
    }
}
