/// The float functions of PromQL with their signatures.
public enum Function: String, Sendable, CaseIterable {
    // Range vector → instant vector.
    case rate, irate, increase, delta, idelta, deriv, changes, resets
    case predictLinear = "predict_linear", holtWinters = "holt_winters"
    case avgOverTime = "avg_over_time", sumOverTime = "sum_over_time", minOverTime = "min_over_time"
    case maxOverTime = "max_over_time", countOverTime = "count_over_time", lastOverTime = "last_over_time"
    case quantileOverTime = "quantile_over_time", stddevOverTime = "stddev_over_time"
    case stdvarOverTime = "stdvar_over_time", presentOverTime = "present_over_time"
    case absentOverTime = "absent_over_time"
    // Instant vector element-wise.
    case abs, ceil, floor, exp, ln, log2, log10, sqrt, sgn, round, clamp
    case clampMax = "clamp_max", clampMin = "clamp_min"
    case acos, acosh, asin, asinh, atan, atanh, cos, cosh, sin, sinh, tan, tanh, deg, rad
    case dayOfMonth = "day_of_month", dayOfWeek = "day_of_week", dayOfYear = "day_of_year"
    case daysInMonth = "days_in_month", hour, minute, month, year
    case timestamp
    // Everything else.
    case absent, scalar, vector, time, pi, sort
    case sortDesc = "sort_desc"
    case histogramQuantile = "histogram_quantile"
    case labelReplace = "label_replace", labelJoin = "label_join"

    public var name: String { rawValue }

    /// Argument types; `optionalTrailing` of them may be left out, and with `repeatsLast` the last
    /// may be repeated.
    var signature: (arguments: [ValueType], optionalTrailing: Int, repeatsLast: Bool) {
        switch self {
        case .rate, .irate, .increase, .delta, .idelta, .deriv, .changes, .resets,
             .avgOverTime, .sumOverTime, .minOverTime, .maxOverTime, .countOverTime, .lastOverTime,
             .stddevOverTime, .stdvarOverTime, .presentOverTime, .absentOverTime:
            ([.matrix], 0, false)
        case .predictLinear: ([.matrix, .scalar], 0, false)
        case .holtWinters: ([.matrix, .scalar, .scalar], 0, false)
        case .quantileOverTime: ([.scalar, .matrix], 0, false)
        case .abs, .ceil, .floor, .exp, .ln, .log2, .log10, .sqrt, .sgn,
             .acos, .acosh, .asin, .asinh, .atan, .atanh, .cos, .cosh, .sin, .sinh, .tan, .tanh, .deg, .rad,
             .timestamp, .absent, .scalar, .sort, .sortDesc:
            ([.vector], 0, false)
        case .round: ([.vector, .scalar], 1, false)
        case .clamp: ([.vector, .scalar, .scalar], 0, false)
        case .clampMax, .clampMin: ([.vector, .scalar], 0, false)
        case .dayOfMonth, .dayOfWeek, .dayOfYear, .daysInMonth, .hour, .minute, .month, .year:
            ([.vector], 1, false)
        case .vector: ([.scalar], 0, false)
        case .time, .pi: ([], 0, false)
        case .histogramQuantile: ([.scalar, .vector], 0, false)
        case .labelReplace: ([.vector, .string, .string, .string, .string], 0, false)
        case .labelJoin: ([.vector, .string, .string, .string], 1, true)
        }
    }

    var returnType: ValueType {
        switch self {
        case .scalar, .time, .pi: .scalar
        default: .vector
        }
    }

    /// Whether the result keeps the metric name of its input (Prometheus drops it for functions
    /// that compute a new quantity).
    var keepsMetricName: Bool {
        switch self {
        case .lastOverTime, .sort, .sortDesc, .labelReplace, .labelJoin: true
        default:
            false
        }
    }
}
