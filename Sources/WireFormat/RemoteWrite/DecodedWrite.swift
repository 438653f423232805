import TimeSeriesCore

/// The content of one remote-write request in Surge's vocabulary.
public struct DecodedWrite: Sendable {
    public var batch = WriteBatch()
    /// Native histogram samples received; not stored yet, counted so clients learn they were seen.
    public var histograms = 0
    public var exemplars = 0
    public var metadata = 0

    public init() {}

    public var series: [SeriesSamples] { batch.series }
    public var sampleCount: Int { batch.sampleCount }
}
