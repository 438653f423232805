import TimeSeriesCore

/// Evaluates an expression at every step of `[start, end]` at once: each selector reads storage
/// once for the whole range and walks its series with cursors, step by step.
struct StepEvaluator {
    let querier: any SeriesQuerier
    let lookbackDelta: Int64
    /// The subquery step when a subquery gives none.
    let defaultInterval: Int64
    let start: Timestamp
    let end: Timestamp
    let step: Int64
    /// The start and end of the whole query, which `@ start()` and `@ end()` name.
    let queryStart: Timestamp
    let queryEnd: Timestamp
    let limits: EvaluationLimits

    var stepCount: Int { Int((end &- start) / step) + 1 }
    func time(_ index: Int) -> Timestamp { start &+ Int64(index) &* step }

    func evaluate(_ expression: Expression) throws(EvaluationError) -> StepValue {
        try limits.checkDeadline()
        switch expression {
        case .number(let value):
            return .scalar(Array(repeating: value, count: stepCount))
        case .string(let value):
            return .string(value)
        case .parenthesized(let inner):
            return try evaluate(inner)
        case .vectorSelector(let selector):
            return .vector(try select(selector, keepingTimestamps: false))
        case .matrixSelector, .subquery:
            throw EvaluationError("a range vector cannot be evaluated at steps; use it inside a function such as rate()")
        case .negate(let operand):
            switch try evaluate(operand) {
            case .scalar(let values): return .scalar(values.map { -$0 })
            case .vector(var vectors):
                vectors.dropMetricNames()
                vectors.mapValues { -$0 }
                try vectors.checkUniqueLabels()
                return .vector(vectors)
            case .string: throw EvaluationError("unary minus on a string")
            }
        case .binary(let operation):
            return try Self.unique(try BinaryEvaluator.evaluate(operation, lhs: try evaluate(operation.lhs), rhs: try evaluate(operation.rhs)))
        case .call(let function, let args):
            return try Self.unique(try call(function, args))
        case .aggregate(let aggregation):
            guard case .vector(let input) = try evaluate(aggregation.expression) else {
                throw EvaluationError("expected an instant vector in the aggregation")
            }
            var parameter: StepValue?
            if let expression = aggregation.parameter { parameter = try evaluate(expression) }
            return .vector(try Aggregator.aggregate(aggregation, parameter: parameter, input))
        }
    }

    /// A function's or operator's vector, refused when two of its series became alike.
    private static func unique(_ value: StepValue) throws(EvaluationError) -> StepValue {
        guard case .vector(var vectors) = value, vectors.labelsMayRepeat else { return value }
        try vectors.checkUniqueLabels()
        return .vector(vectors)
    }

    func resolve(_ at: AtModifier) -> Timestamp {
        switch at {
        case .timestamp(let t): t
        case .start: queryStart
        case .end: queryEnd
        }
    }

    /// The time a selector reads at step `index`: the step time, or the `@` time, minus the offset.
    func referenceTime(_ index: Int, offset: Int64, at: AtModifier?) -> Timestamp {
        (at.map(resolve) ?? time(index)) &- offset
    }

    /// The series of a selector from storage, counted against the samples limit and timed.
    private func fetch(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) throws(EvaluationError) -> [Series] {
        let started = ContinuousClock.now
        let series = querier.select(matchers, mint: mint, maxt: maxt)
        limits.statistics.fetchTime += ContinuousClock.now - started
        let samples = series.reduce(0) { $0 + $1.samples.count }
        limits.statistics.samplesQueried += samples
        try limits.count(samples)
        return series
    }

    /// An instant selector: per step, each series' newest sample within the lookback, unless stale.
    /// Sample timestamps are kept only for `timestamp()`, which reports them.
    func select(_ selector: VectorSelector, keepingTimestamps: Bool) throws(EvaluationError) -> StepVectors {
        let series = try fetch(selector)
        var out = StepVectors(labels: series.map(\.labels), stepCount: stepCount)
        for (id, s) in series.enumerated() {
            // Each series costs a pass over every step: many series at many steps check the deadline,
            // and the points a series takes count against the samples limit, as in Prometheus.
            try limits.checkDeadline()
            var points = 0
            forEachStep(of: s.samples, selector) { index, sample in
                out.append(step: index, id: id, value: sample.value)
                if keepingTimestamps { out.steps[index].timestamps.append(sample.timestamp) }
                points += 1
            }
            if stepCount > 1 { try limits.charge(points) }
        }
        return out
    }

    /// What `select` gives, series by series with a point per step: the result of a range query
    /// of a bare selector, without building per-step tables first. Series without points are left out.
    func selectSeries(_ selector: VectorSelector) throws(EvaluationError) -> [Series] {
        var out: [Series] = []
        for s in try fetch(selector) {
            try limits.checkDeadline()
            var points: [Sample] = []
            forEachStep(of: s.samples, selector) { index, sample in
                points.append(Sample(timestamp: time(index), value: sample.value))
            }
            try limits.countResultPoints(points.count)
            if !points.isEmpty { out.append(Series(labels: s.labels, samples: points)) }
        }
        return out
    }

    private func fetch(_ selector: VectorSelector) throws(EvaluationError) -> [Series] {
        let first = referenceTime(0, offset: selector.offset, at: selector.at)
        let last = referenceTime(stepCount - 1, offset: selector.offset, at: selector.at)
        return try fetch(selector.matchers, mint: first &- lookbackDelta, maxt: last)
    }

    /// Calls `body` with each step and the sample an instant selector takes there: the newest within
    /// the lookback, unless it is a staleness marker.
    private func forEachStep(of samples: [Sample], _ selector: VectorSelector, _ body: (Int, Sample) -> Void) {
        var cursor = 0
        for index in 0..<stepCount {
            let ref = referenceTime(index, offset: selector.offset, at: selector.at)
            while cursor < samples.count && samples[cursor].timestamp <= ref { cursor += 1 }
            guard cursor > 0 else { continue }
            let sample = samples[cursor - 1]
            if sample.timestamp >= ref &- lookbackDelta && !StaleNaN.isStale(sample.value) {
                body(index, sample)
            }
        }
    }

    /// The series a range argument (a range selector or a subquery) yields, with the window each
    /// step reads: `[t - range, t]` with `t` the step (or `@`) time minus the offset.
    func rangeInput(_ expression: Expression) throws(EvaluationError) -> RangeInput {
        switch expression.unwrapped {
        case .matrixSelector(let selector, let range):
            let first = referenceTime(0, offset: selector.offset, at: selector.at)
            let last = referenceTime(stepCount - 1, offset: selector.offset, at: selector.at)
            let fetched = try fetch(selector.matchers, mint: first &- range, maxt: last)
            return RangeInput(
                labels: fetched.map(\.labels),
                samples: fetched.map { s in
                    s.samples.contains { StaleNaN.isStale($0.value) } ? s.samples.filter { !StaleNaN.isStale($0.value) } : s.samples
                },
                range: range, offset: selector.offset, at: selector.at, matchers: selector.matchers)
        case .subquery(let subquery):
            return try evaluateSubquery(subquery)
        default:
            throw EvaluationError("expected a range vector, got \(expression.typeName)")
        }
    }

    /// Evaluates the inner expression at steps aligned to multiples of the subquery step, from the
    /// first such time after the earliest window start up to the latest window end.
    private func evaluateSubquery(_ subquery: Subquery) throws(EvaluationError) -> RangeInput {
        let interval = subquery.step ?? defaultInterval
        let earliest = referenceTime(0, offset: subquery.offset, at: subquery.at) &- subquery.range
        let latest = referenceTime(stepCount - 1, offset: subquery.offset, at: subquery.at)
        var innerStart = interval &* (earliest / interval)
        if innerStart < earliest { innerStart &+= interval }
        guard innerStart <= latest else {
            return RangeInput(labels: [], samples: [], range: subquery.range, offset: subquery.offset, at: subquery.at, matchers: nil)
        }
        // Every inner step holds a slot in each table the inner evaluation builds, so the steps count
        // against the samples limit, weighted by a slot's size, before any is allocated
        // (`x[1y:1ms]` has 3.2e10 steps, `x[365d:1s]` 3.2e7).
        try limits.reserveSteps(from: innerStart, through: latest, every: interval)
        let inner = StepEvaluator(querier: querier, lookbackDelta: lookbackDelta, defaultInterval: defaultInterval,
                                  start: innerStart, end: latest, step: interval,
                                  queryStart: queryStart, queryEnd: queryEnd, limits: limits)
        let value = try inner.evaluate(subquery.expression)
        let vectors: StepVectors
        switch value {
        case .vector(let v): vectors = v
        case .scalar(let values):
            var v = StepVectors(labels: [.empty], stepCount: values.count)
            for (index, x) in values.enumerated() { v.append(step: index, id: 0, value: x) }
            vectors = v
        case .string: throw EvaluationError("subquery is only allowed on instant vector")
        }
        var samples = [[Sample]](repeating: [], count: vectors.labels.count)
        for (index, step) in vectors.steps.enumerated() {
            let t = inner.time(index)
            for (id, v) in zip(step.ids, step.values) { samples[id].append(Sample(timestamp: t, value: v)) }
        }
        try limits.count(samples.reduce(0) { $0 + $1.count })
        return RangeInput(labels: vectors.labels, samples: samples, range: subquery.range, offset: subquery.offset,
                          at: subquery.at, matchers: nil)
    }

    /// A range argument evaluated at an instant: the raw samples of each series in its window (what an
    /// instant query of `foo[5m]` or a subquery returns).
    func matrix(_ expression: Expression) throws(EvaluationError) -> Matrix {
        let input = try rangeInput(expression)
        let t = referenceTime(0, offset: input.offset, at: input.at)
        return zip(input.labels, input.samples).compactMap { labels, samples in
            let window = samples.filter { $0.timestamp >= t &- input.range && $0.timestamp <= t }
            return window.isEmpty ? nil : Series(labels: labels, samples: window)
        }
    }

    private func call(_ function: Function, _ args: [Expression]) throws(EvaluationError) -> StepValue {
        if let index = args.firstIndex(where: { $0.type == .matrix }) {
            let input = try rangeInput(args[index])
            var scalars: [[Double]] = []
            for (position, argument) in args.enumerated() where position != index {
                guard case .scalar(let values) = try evaluate(argument) else {
                    throw EvaluationError("expected a scalar argument for \(function.name)")
                }
                scalars.append(values)
            }
            if function == .holtWinters {
                for (name, values) in zip(["smoothing", "trend"], scalars) {
                    if let bad = values.first(where: { !($0 > 0 && $0 < 1) }) {
                        throw EvaluationError("invalid \(name) factor. Expected: 0 < \(name == "smoothing" ? "sf" : "tf") < 1, got: \(bad)")
                    }
                }
            }
            return .vector(try RangeFunctions.apply(function, input, scalars: scalars, evaluator: self))
        }
        return try InstantFunctions.apply(function, args, evaluator: self)
    }
}

/// The input of a range function: series, their samples (stale markers removed) and the window.
struct RangeInput {
    var labels: [Labels]
    var samples: [[Sample]]
    var range: Int64
    var offset: Int64
    var at: AtModifier?
    /// The selector's matchers, for `absent_over_time`; nil for a subquery.
    var matchers: [LabelMatcher]?
}

/// Protection for the server: a deadline and a cap on the samples a query may load.
public final class EvaluationLimits: @unchecked Sendable {
    // Mutated only by the single evaluation that owns it; the class lets nested evaluators share it.
    public let maxSamples: Int
    /// When the evaluation must stop, on the `elapsed` clock.
    public let deadline: Duration?
    private let elapsed: @Sendable () -> Duration
    private var loaded = 0
    /// Memory the evaluation holds beyond the samples it loaded (step tables, selected points):
    /// counted against the limit, not reported as samples.
    private var charged = 0
    private var resultPoints = 0
    /// Filled as the evaluation goes.
    var statistics = QueryStatistics()

    public init(maxSamples: Int = 50_000_000, timeout: Duration? = nil, elapsed: @escaping @Sendable () -> Duration = Engine.monotonic) {
        self.maxSamples = maxSamples
        self.elapsed = elapsed
        self.deadline = timeout.map { elapsed() + $0 }
    }

    func count(_ samples: Int) throws(EvaluationError) {
        loaded += samples
        statistics.peakSamples = loaded
        if loaded + charged > maxSamples {
            throw Self.tooManySamples
        }
    }

    /// Counts memory worth `samples` samples against the limit without reporting it as samples.
    func charge(_ samples: Int) throws(EvaluationError) {
        charged += samples
        if loaded + charged > maxSamples {
            throw Self.tooManySamples
        }
    }

    static let tooManySamples = EvaluationError(.tooManySamples, "query processing would load too many samples into memory in query execution")

    /// What one step's slot in a table of steps costs, in samples' worth of memory.
    static let stepSlotCost = Int64((MemoryLayout<StepVectors.Step>.stride + MemoryLayout<Sample>.stride - 1) / MemoryLayout<Sample>.stride)

    /// Counts an evaluation at every `step` from `start` through `end` against the samples limit
    /// before it allocates its tables, a step weighing what its slot costs: memory stays bounded by
    /// the limit. A span too long for Int64 is as good as too many steps.
    func reserveSteps(from start: Timestamp, through end: Timestamp, every step: Int64) throws(EvaluationError) {
        let (span, spanOverflow) = end.subtractingReportingOverflow(start)
        if spanOverflow { throw Self.tooManySamples }
        let (cost, overflow) = (span / step + 1).multipliedReportingOverflow(by: Self.stepSlotCost)
        if overflow || cost > Int64(maxSamples) - Int64(loaded + charged) {
            throw Self.tooManySamples
        }
        try charge(Int(cost))
    }

    /// The points of a range query's result, counted as they are gathered: no more than the samples
    /// limit may be returned (a bare `{__name__=~".+"}` at a one-second step would otherwise be
    /// answered with gigabytes).
    func countResultPoints(_ points: Int) throws(EvaluationError) {
        resultPoints += points
        if resultPoints > maxSamples {
            throw Self.tooManySamples
        }
    }

    func checkDeadline() throws(EvaluationError) {
        if let deadline, elapsed() > deadline {
            throw EvaluationError(.timeout, "query timed out in expression evaluation")
        }
    }
}

extension Labels {
    func droppingMetricName() -> Labels {
        guard pairs.contains(where: { $0.name == metricNameLabel }) else { return self }
        return Labels(sortedUnique: pairs.filter { $0.name != metricNameLabel })
    }
}
