import TimeSeriesCore

/// One value a collector read, with the metric name and labels it is exposed under.
public struct CollectedSample: Sendable, Equatable {
    public var name: String
    public var labels: [Label]
    public var value: Double

    public init(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        self.name = name
        self.labels = labels.map { Label($0.0, $0.1) }
        self.value = value
    }

    /// The full label set, metric name included.
    public var labelSet: Labels {
        Labels(labels + [Label(metricNameLabel, name)])
    }
}
