/// A query that parsed but cannot be evaluated as asked. The kind picks the API's error type:
/// `execution` (422), `timeout` (503), or `bad_data` for a limit the query exceeds.
public struct EvaluationError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable, Equatable { case execution, timeout, tooManySamples }

    public let kind: Kind
    public let description: String

    public init(_ description: String) { self.init(.execution, description) }

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
