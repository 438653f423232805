/// One element of an instant vector: a series' labels and its value at the evaluation time.
public struct VectorElement: Sendable, Equatable {
    public var labels: Labels
    public var timestamp: Timestamp
    public var value: Double

    public init(labels: Labels, timestamp: Timestamp, value: Double) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
    }
}

public typealias Vector = [VectorElement]
public typealias Matrix = [Series]

/// The result of evaluating a PromQL expression, in the four types of the query API.
public enum QueryValue: Sendable, Equatable {
    case vector(Vector)
    case matrix(Matrix)
    case scalar(timestamp: Timestamp, value: Double)
    case string(timestamp: Timestamp, value: String)

    /// The `resultType` of the Prometheus HTTP API.
    public var typeName: String {
        switch self {
        case .vector: "vector"
        case .matrix: "matrix"
        case .scalar: "scalar"
        case .string: "string"
        }
    }
}
