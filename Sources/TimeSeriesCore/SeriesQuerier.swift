/// One series with its samples in a time range, ordered by timestamp.
public struct Series: Sendable, Equatable {
    public var labels: Labels
    public var samples: [Sample]

    public init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }
}

/// The read seam of storage. Ranges are inclusive on both ends, in milliseconds.
public protocol SeriesQuerier: Sendable {
    /// Series whose labels satisfy every matcher, with their samples in `[mint, maxt]`.
    func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Series]
    /// Label sets of the series that satisfy every matcher and have samples in `[mint, maxt]`.
    func series(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Labels]
    /// Sorted label names, of all series or of the series matching any matcher set.
    func labelNames(matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String]
    /// Sorted values of one label, of all series or of the series matching any matcher set.
    func labelValues(_ name: String, matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String]
    /// An upper bound of how many series satisfy every matcher, found without reading samples: a
    /// series kept in several places counts more than once, and postings need not be intersected.
    /// Tells a cheap query from a costly one before running it.
    func estimatedSeriesCount(_ matchers: [LabelMatcher]) -> Int
}

extension SeriesQuerier {
    public func estimatedSeriesCount(_ matchers: [LabelMatcher]) -> Int {
        series(matchers, mint: .min, maxt: .max).count
    }
}
