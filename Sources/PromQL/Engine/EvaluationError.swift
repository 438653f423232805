/// A query that parsed but cannot be evaluated as asked (the API's `bad_data` or `execution`).
public struct EvaluationError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
