/// One series and the samples to append to it, as a write request carries them.
public struct SeriesSamples: Sendable {
    public var labels: Labels
    public var samples: [Sample]

    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }
}

/// What an append accepted and what it refused, per reason.
public struct AppendResult: Sendable, Equatable {
    public var samplesAppended = 0
    public var seriesCreated = 0
    public var outOfOrder = 0
    public var duplicates = 0
    /// The first refused sample, for the error message a client sees.
    public var firstRejection: String?

    public init() {}

    public var rejected: Int { outOfOrder + duplicates }
}

/// The write seam of storage. An append returns only once its samples are durable in the
/// write-ahead log, so a caller may acknowledge them.
public protocol SeriesAppender: Sendable {
    func append(_ batch: [SeriesSamples]) throws -> AppendResult
}
