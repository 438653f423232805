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
