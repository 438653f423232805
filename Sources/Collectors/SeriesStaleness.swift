import TimeSeriesCore

/// The series one source produced last time, to mark those it no longer produces as stale, as
/// Prometheus does when a series leaves a scrape.
public struct SeriesStaleness: Sendable {
    private var previous = Set<Labels>()

    public init() {}

    /// Records this round's series and returns the ones that were there last round but are not now.
    public mutating func update(_ current: Set<Labels>) -> [Labels] {
        defer { previous = current }
        return previous.subtracting(current).sorted()
    }

    /// Everything last seen, for a source that goes away altogether.
    public mutating func endAll() -> [Labels] {
        defer { previous = [] }
        return previous.sorted()
    }
}
