import TimeSeriesCore
#if canImport(Glibc)
import Glibc
#endif

/// Functions of instant vectors and scalars, step by step, as Prometheus 2.x defines them.
enum InstantFunctions {
    static func apply(_ function: Function, _ args: [Expression], evaluator: StepEvaluator) throws(EvaluationError) -> StepValue {
        let steps = evaluator.stepCount
        switch function {
        case .time:
            return .scalar((0..<steps).map { Double(evaluator.time($0)) / 1000 })
        case .pi:
            return .scalar(Array(repeating: Double.pi, count: steps))
        case .vector:
            let values = try scalarArgument(args[0], evaluator)
            var out = StepVectors(labels: [.empty], stepCount: steps)
            for (index, value) in values.enumerated() { out.append(step: index, id: 0, value: value) }
            return .vector(out)
        case .scalar:
            let input = try vectorArgument(args[0], evaluator)
            return .scalar(input.steps.map { $0.values.count == 1 ? $0.values[0] : .nan })
        case .absent:
            let input = try vectorArgument(args[0], evaluator)
            var selectorMatchers: [LabelMatcher]?
            if case .vectorSelector(let selector) = args[0] { selectorMatchers = selector.matchers }
            var out = StepVectors(labels: [absentLabels(selectorMatchers)], stepCount: steps)
            for (index, step) in input.steps.enumerated() where step.ids.isEmpty { out.append(step: index, id: 0, value: 1) }
            return .vector(out)
        case .sort, .sortDesc:
            // Order only matters for an instant query's result, which the engine sorts.
            return .vector(try vectorArgument(args[0], evaluator))
        case .timestamp:
            // A plain selector reports its samples' timestamps; anything else the evaluation time.
            var input: StepVectors
            if case .vectorSelector(let selector) = args[0].unwrapped {
                input = try evaluator.select(selector, keepingTimestamps: true)
                for index in input.steps.indices {
                    input.steps[index].values = input.steps[index].timestamps.map { Double($0) / 1000 }
                }
            } else {
                input = try vectorArgument(args[0], evaluator)
                for index in input.steps.indices {
                    let t = Double(evaluator.time(index)) / 1000
                    input.steps[index].values = input.steps[index].values.map { _ in t }
                }
            }
            input.dropMetricNames()
            return .vector(input)
        case .dayOfMonth, .dayOfWeek, .dayOfYear, .daysInMonth, .hour, .minute, .month, .year:
            var input: StepVectors
            if args.isEmpty {
                input = StepVectors(labels: [.empty], stepCount: steps)
                for index in 0..<steps { input.append(step: index, id: 0, value: Double(evaluator.time(index)) / 1000) }
            } else {
                input = try vectorArgument(args[0], evaluator)
            }
            input.dropMetricNames()
            input.mapValues { dateField(function, seconds: $0) }
            return .vector(input)
        case .round:
            var input = try vectorArgument(args[0], evaluator)
            let nearest = args.count > 1 ? try scalarArgument(args[1], evaluator) : Array(repeating: 1, count: steps)
            input.dropMetricNames()
            for index in input.steps.indices {
                let inverse = 1.0 / nearest[index]
                input.steps[index].values = input.steps[index].values.map { floor($0 * inverse + 0.5) / inverse }
            }
            return .vector(input)
        case .clamp, .clampMin, .clampMax:
            var input = try vectorArgument(args[0], evaluator)
            let first = try scalarArgument(args[1], evaluator)
            let second = function == .clamp ? try scalarArgument(args[2], evaluator) : []
            input.dropMetricNames()
            for index in input.steps.indices {
                let values = input.steps[index].values
                switch function {
                case .clamp:
                    let (low, high) = (first[index], second[index])
                    if high < low {
                        input.steps[index] = StepVectors.Step()
                    } else {
                        input.steps[index].values = values.map { goMax(low, goMin(high, $0)) }
                    }
                case .clampMin: input.steps[index].values = values.map { goMax($0, first[index]) }
                default: input.steps[index].values = values.map { goMin($0, first[index]) }
                }
            }
            return .vector(input)
        case .histogramQuantile:
            let q = try scalarArgument(args[0], evaluator)
            return .vector(HistogramQuantile.evaluate(q, try vectorArgument(args[1], evaluator)))
        case .labelReplace:
            return .vector(try LabelFunctions.replace(try vectorArgument(args[0], evaluator), strings(args.dropFirst())))
        case .labelJoin:
            return .vector(try LabelFunctions.join(try vectorArgument(args[0], evaluator), strings(args.dropFirst())))
        default:
            guard let transform = elementwise(function) else {
                throw EvaluationError("function \(quoted(function.name)) needs a range vector")
            }
            var input = try vectorArgument(args[0], evaluator)
            input.dropMetricNames()
            input.mapValues(transform)
            return .vector(input)
        }
    }

    private static func elementwise(_ function: Function) -> ((Double) -> Double)? {
        switch function {
        case .abs: Swift.abs
        case .ceil: Glibc.ceil
        case .floor: Glibc.floor
        case .exp: Glibc.exp
        case .ln: Glibc.log
        case .log2: Glibc.log2
        case .log10: Glibc.log10
        case .sqrt: Glibc.sqrt
        case .sgn: { $0 < 0 ? -1 : $0 > 0 ? 1 : $0 }
        case .acos: Glibc.acos
        case .acosh: Glibc.acosh
        case .asin: Glibc.asin
        case .asinh: Glibc.asinh
        case .atan: Glibc.atan
        case .atanh: Glibc.atanh
        case .cos: Glibc.cos
        case .cosh: Glibc.cosh
        case .sin: Glibc.sin
        case .sinh: Glibc.sinh
        case .tan: Glibc.tan
        case .tanh: Glibc.tanh
        case .deg: { $0 * 180 / .pi }
        case .rad: { $0 * .pi / 180 }
        default: nil
        }
    }

    static func vectorArgument(_ expression: Expression, _ evaluator: StepEvaluator) throws(EvaluationError) -> StepVectors {
        guard case .vector(let vectors) = try evaluator.evaluate(expression) else {
            throw EvaluationError("expected an instant vector, got \(expression.typeName)")
        }
        return vectors
    }

    static func scalarArgument(_ expression: Expression, _ evaluator: StepEvaluator) throws(EvaluationError) -> [Double] {
        guard case .scalar(let values) = try evaluator.evaluate(expression) else {
            throw EvaluationError("expected a scalar, got \(expression.typeName)")
        }
        return values
    }

    private static func strings(_ args: ArraySlice<Expression>) throws(EvaluationError) -> [String] {
        var out: [String] = []
        for argument in args {
            guard case .string(let value) = argument.unwrapped else { throw EvaluationError("expected a string literal") }
            out.append(value)
        }
        return out
    }

    /// The labels `absent` reports: the selector's equality matchers, except a name matched twice
    /// or by another kind of matcher (as Prometheus does it).
    static func absentLabels(_ matchers: [LabelMatcher]?) -> Labels {
        guard let matchers else { return .empty }
        var values: [String: String] = [:]
        var seen = Set<String>()
        for matcher in matchers where matcher.name != metricNameLabel {
            if matcher.type == .equal && !seen.contains(matcher.name) {
                values[matcher.name] = matcher.value
                seen.insert(matcher.name)
            } else {
                values[matcher.name] = nil
            }
        }
        return Labels(values.filter { !$0.value.isEmpty })
    }

    /// Go's math.Max and math.Min: an infinity wins over NaN, otherwise NaN wins.
    static func goMax(_ a: Double, _ b: Double) -> Double {
        if a == .infinity || b == .infinity { return .infinity }
        if a.isNaN || b.isNaN { return .nan }
        if a == 0 && b == 0 { return a.sign == .minus ? b : a }
        return a > b ? a : b
    }

    static func goMin(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity || b == -.infinity { return -.infinity }
        if a.isNaN || b.isNaN { return .nan }
        if a == 0 && b == 0 { return a.sign == .minus ? a : b }
        return a < b ? a : b
    }

    /// A calendar field of a Unix time in UTC, as Prometheus computes it with Go's `time` package.
    static func dateField(_ function: Function, seconds: Double) -> Double {
        let calendar = GoCalendar(unixSeconds: seconds)
        switch function {
        case .year: return Double(calendar.date.year)
        case .month: return Double(calendar.date.month)
        case .dayOfMonth: return Double(calendar.date.day)
        case .dayOfWeek: return Double(calendar.weekday)
        case .dayOfYear: return Double(calendar.date.yearDay + 1)
        case .daysInMonth: return Double(calendar.daysInMonth)
        case .hour: return Double(calendar.hour)
        case .minute: return Double(calendar.minute)
        default: return .nan
        }
    }
}
