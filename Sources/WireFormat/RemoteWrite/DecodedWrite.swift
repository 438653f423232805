import TimeSeriesCore

/// The content of one remote-write request in Surge's vocabulary.
public struct DecodedWrite: Sendable {
    public var batch = WriteBatch()
    /// Native histogram samples received; not stored yet, counted so clients learn they were seen.
    public var histograms = 0
    public var exemplars = 0
    /// Metric metadata by family name: remote-write 1.0's WriteRequest.metadata, 2.0's per-series
    /// Metadata (named by the series' `__name__`).
    public var metadata: [(name: String, metadata: MetricMetadata)] = []

    public init() {}

    public var series: [SeriesSamples] { batch.series }
    public var sampleCount: Int { batch.sampleCount }
}
