/// One label pair of a series.
public struct Label: Hashable, Sendable, Comparable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Byte order of the UTF-8 encodings, as Prometheus sorts labels.
    public static func < (lhs: Label, rhs: Label) -> Bool {
        lhs.name == rhs.name
            ? lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
            : lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
    }
}

/// The well-known label that carries a metric's name.
public let metricNameLabel = "__name__"

/// Whether `name` is a label name in Prometheus' classic charset, `[a-zA-Z_][a-zA-Z0-9_]*`.
public func isValidLabelName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first else { return false }
    let isStart: (Unicode.Scalar) -> Bool = { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || $0 == "_" }
    return isStart(first) && name.unicodeScalars.allSatisfy { isStart($0) || ($0 >= "0" && $0 <= "9") }
}

/// Whether `name` is a metric name in Prometheus' classic charset, `[a-zA-Z_:][a-zA-Z0-9_:]*`.
public func isValidMetricName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first else { return false }
    let isStart: (Unicode.Scalar) -> Bool = { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || $0 == "_" || $0 == ":" }
    return isStart(first) && name.unicodeScalars.allSatisfy { isStart($0) || ($0 >= "0" && $0 <= "9") }
}
