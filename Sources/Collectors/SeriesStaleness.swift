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

    /// How many of `current` the last round did not have.
    public func unseen(in current: some Sequence<Labels>) -> Int {
        current.reduce(0) { $0 + (previous.contains($1) ? 0 : 1) }
    }

    /// Everything last seen, for a source that goes away altogether.
    public mutating func endAll() -> [Labels] {
        defer { previous = [] }
        return previous.sorted()
    }
}
