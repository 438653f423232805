/// Figures of the database for /metrics and the CLI.
public struct DatabaseStats: Sendable, Equatable {
    public var series = 0
    public var samplesAppended = 0
    public var walBytes = 0
    public var chunkBytes = 0
    public var minTime: Int64?
    public var maxTime: Int64?

    public init() {}
}
