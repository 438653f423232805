import TimeSeriesCore

/// The two exposition formats a scrape target may answer with.
public enum ExpositionFormat: Sendable, Equatable {
    /// Prometheus text format 0.0.4.
    case text
    /// OpenMetrics 1.0 text.
    case openMetrics

    /// What Prometheus 2.42 sends as `Accept` when it scrapes: OpenMetrics first, then text 0.0.4.
    public static let acceptHeader =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    /// The format a response's `Content-Type` names; anything but OpenMetrics is read as text 0.0.4,
    /// as Prometheus does.
    public init(contentType: String?) {
        let type = contentType?.lowercased() ?? ""
        self = type.hasPrefix("application/openmetrics-text") ? .openMetrics : .text
    }
}

/// One sample of an exposition: its labels (the metric name among them, sorted), its value and the
/// timestamp the target gave, if any, in milliseconds.
public struct ExpositionSample: Sendable, Equatable {
    public var labels: Labels
    public var value: Double
    public var timestamp: Timestamp?

    public init(labels: Labels, value: Double, timestamp: Timestamp? = nil) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    public static func == (lhs: ExpositionSample, rhs: ExpositionSample) -> Bool {
        lhs.labels == rhs.labels && lhs.value.bitPattern == rhs.value.bitPattern && lhs.timestamp == rhs.timestamp
    }
}

/// A parsed exposition: samples in order, and the metadata of the families that declared any.
public struct Exposition: Sendable {
    public var samples: [ExpositionSample] = []
    public var metadata: [(name: String, metadata: MetricMetadata)] = []

    public init() {}
}

/// Why an exposition could not be read, with where: 1-based line and column and the line itself.
public struct ExpositionError: Error, CustomStringConvertible, Sendable, Equatable {
    public let line: Int
    public let column: Int
    public let message: String
    public let snippet: String

    public var description: String {
        "line \(line), column \(column): \(message): \(snippet.debugDescription)"
    }
}
