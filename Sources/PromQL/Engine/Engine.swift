import TimeSeriesCore

/// Evaluates parsed expressions against a `SeriesQuerier` with Prometheus 2.x semantics: an
/// instant selector takes each series' newest sample in `[t - lookback, t]` unless it is a
/// staleness marker; a range selector takes the samples in `[t - range, t]`, markers excluded.
public struct Engine: Sendable {
    public var lookbackDelta: Int64
    /// The step of a subquery written without one (`x[1h:]`), Prometheus' evaluation interval.
    public var defaultSubqueryStep: Int64
    /// The most samples one query may load.
    public var maxSamples: Int
    public var timeout: Duration?
    /// Where the timeout is measured: the monotonic clock, or a test's.
    public var elapsed: @Sendable () -> Duration = Engine.monotonic

    private let querier: any SeriesQuerier

    /// Time since an arbitrary fixed point of the process's monotonic clock.
    public static let monotonic: @Sendable () -> Duration = {
        ContinuousClock.now - Engine.origin
    }
    private static let origin = ContinuousClock.now

    public init(querier: any SeriesQuerier, lookbackDelta: Int64 = 5 * 60 * 1000, defaultSubqueryStep: Int64 = 60_000,
                maxSamples: Int = 50_000_000, timeout: Duration? = nil) {
        self.querier = querier
        self.lookbackDelta = lookbackDelta
        self.defaultSubqueryStep = defaultSubqueryStep
        self.maxSamples = maxSamples
        self.timeout = timeout
    }

    private func evaluator(start: Timestamp, end: Timestamp, step: Int64) -> StepEvaluator {
        StepEvaluator(querier: querier, lookbackDelta: lookbackDelta, defaultInterval: defaultSubqueryStep,
                      start: start, end: end, step: step, queryStart: start, queryEnd: end,
                      limits: EvaluationLimits(maxSamples: maxSamples, timeout: timeout, elapsed: elapsed))
    }

    public func instant(_ expression: Expression, at time: Timestamp) throws(EvaluationError) -> QueryValue {
        var statistics = QueryStatistics()
        return try instant(expression, at: time, statistics: &statistics)
    }

    public func instant(_ expression: Expression, at time: Timestamp,
                        statistics: inout QueryStatistics) throws(EvaluationError) -> QueryValue {
        let started = ContinuousClock.now
        let evaluator = evaluator(start: time, end: time, step: 1)
        defer {
            statistics = evaluator.limits.statistics
            statistics.evaluationTime = ContinuousClock.now - started
        }
        if expression.type == .matrix {
            let matrix = try evaluator.matrix(expression)
            return .matrix(Self.sorted(matrix, statistics: evaluator.limits))
        }
        switch try evaluator.evaluate(expression) {
        case .scalar(let values):
            return .scalar(timestamp: time, value: values[0])
        case .string(let value):
            return .string(timestamp: time, value: value)
        case .vector(let vectors):
            try Self.checkUnique(vectors)
            let step = vectors.steps[0]
            var elements = zip(step.ids, step.values).map { VectorElement(labels: vectors.labels[$0.0], timestamp: time, value: $0.1) }
            let sortStarted = ContinuousClock.now
            switch Self.ordering(expression) {
            case .ascending?: elements.sort { Self.valueOrder($0.value, $1.value, descending: false) }
            case .descending?: elements.sort { Self.valueOrder($0.value, $1.value, descending: true) }
            case nil: elements.sort { $0.labels < $1.labels }
            }
            evaluator.limits.statistics.sortTime += ContinuousClock.now - sortStarted
            return .vector(elements)
        }
    }

    private enum Ordering { case ascending, descending }

    /// `sort`, `sort_desc`, `topk` and `bottomk` at the top of a query order its result by value.
    private static func ordering(_ expression: Expression) -> Ordering? {
        switch expression.unwrapped {
        case .call(let function, _): function == .sort ? .ascending : function == .sortDesc ? .descending : nil
        case .aggregate(let aggregation): aggregation.op == .topk ? .descending : aggregation.op == .bottomk ? .ascending : nil
        default: nil
        }
    }

    /// By value, with NaN last in either direction: Prometheus' `sort`, `sort_desc`, `topk` and
    /// `bottomk` all reverse a heap order in which NaN is the least, which puts NaN at the end.
    private static func valueOrder(_ a: Double, _ b: Double, descending: Bool) -> Bool {
        if b.isNaN { return !a.isNaN }
        if a.isNaN { return false }
        return descending ? a > b : a < b
    }

    /// Prometheus refuses a result in which two elements of one step share a label set.
    private static func checkUnique(_ vectors: StepVectors) throws(EvaluationError) {
        guard Set(vectors.labels).count != vectors.labels.count else { return }
        for step in vectors.steps {
            var seen = Set<Labels>()
            for id in step.ids where !seen.insert(vectors.labels[id]).inserted {
                throw EvaluationError("vector cannot contain metrics with the same labelset")
            }
        }
    }

    /// Evaluates at `start`, `start + step`, ... up to `end`; the result is a matrix.
    public func range(_ expression: Expression, start: Timestamp, end: Timestamp, step: Int64) throws(EvaluationError) -> QueryValue {
        var statistics = QueryStatistics()
        return try range(expression, start: start, end: end, step: step, statistics: &statistics)
    }

    public func range(_ expression: Expression, start: Timestamp, end: Timestamp, step: Int64,
                      statistics: inout QueryStatistics) throws(EvaluationError) -> QueryValue {
        let started = ContinuousClock.now
        guard step > 0 else { throw EvaluationError("zero or negative query resolution step widths are not accepted. Try a positive integer") }
        guard end >= start else { throw EvaluationError("end timestamp must not be before start time") }
        guard expression.type == .scalar || expression.type == .vector else {
            throw EvaluationError("invalid expression type \(quoted(expression.typeName)) for range query, must be Scalar or instant Vector")
        }
        let evaluator = evaluator(start: start, end: end, step: step)
        try evaluator.limits.reserveSteps(from: start, through: end, every: step)
        defer {
            statistics = evaluator.limits.statistics
            statistics.evaluationTime = ContinuousClock.now - started
        }
        if case .vectorSelector(let selector) = expression.unwrapped {
            try evaluator.limits.checkDeadline()
            return .matrix(Self.sorted(try evaluator.selectSeries(selector), statistics: evaluator.limits))
        }
        let vectors: StepVectors
        switch try evaluator.evaluate(expression) {
        case .scalar(let values):
            return .matrix([Series(labels: .empty, samples: values.enumerated().map {
                Sample(timestamp: evaluator.time($0.offset), value: $0.element)
            })])
        case .string:
            throw EvaluationError("invalid expression type \"string\" for range query, must be Scalar or instant Vector")
        case .vector(let v):
            vectors = v
        }
        try Self.checkUnique(vectors)
        var points = [[Sample]](repeating: [], count: vectors.labels.count)
        for (index, values) in vectors.steps.enumerated() {
            try evaluator.limits.countResultPoints(values.ids.count)
            if index % 256 == 0 { try evaluator.limits.checkDeadline() }
            let t = evaluator.time(index)
            for (id, value) in zip(values.ids, values.values) { points[id].append(Sample(timestamp: t, value: value)) }
        }
        // Entries with the same labels (a name dropped from two series) form one series.
        var merged: [Labels: [Sample]] = [:]
        for (labels, samples) in zip(vectors.labels, points) where !samples.isEmpty {
            merged[labels, default: []].append(contentsOf: samples)
        }
        let matrix = merged.map { Series(labels: $0.key, samples: $0.value.sorted { $0.timestamp < $1.timestamp }) }
        return .matrix(Self.sorted(matrix, statistics: evaluator.limits))
    }

    /// A matrix in label order, as Prometheus returns one; the time it takes counts as sorting.
    private static func sorted(_ matrix: [Series], statistics limits: EvaluationLimits) -> [Series] {
        let started = ContinuousClock.now
        defer { limits.statistics.sortTime += ContinuousClock.now - started }
        return matrix.sorted { $0.labels < $1.labels }
    }
}
