/// Where a reader learns, the moment it happens, that samples landed for the series some matchers
/// select, so a loop (a scaling policy) acts on a sample when it is stored, not at its next tick.
public protocol SampleArrivals: Sendable {
    /// Yields once for each append that stored samples of a selected series, series created later
    /// included; arrivals not yet read are coalesced into one. Nil when no watch is free. Ending the
    /// iteration (or dropping the stream) releases the watch.
    func arrivals(matching matchers: [LabelMatcher]) -> AsyncStream<Void>?
}
