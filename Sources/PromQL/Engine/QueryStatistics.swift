/// What one evaluation cost, for the query API's `stats` parameter.
public struct QueryStatistics: Sendable {
    /// Samples read from storage.
    public var samplesQueried = 0
    /// The most samples the evaluation held: every sample read plus those subqueries produced.
    public var peakSamples = 0
    /// Time spent selecting series and decoding their samples.
    public var fetchTime: Duration = .zero
    /// Time spent ordering the result.
    public var sortTime: Duration = .zero
    /// The whole evaluation, fetching and ordering included.
    public var evaluationTime: Duration = .zero

    public init() {}
}
