import Synchronization
import TimeSeriesCore

/// Counts the appends that add samples to the series some matchers select, so a reader (a scaling
/// policy) can act on a sample the moment it is stored instead of at its next polling tick. Series
/// created later are matched as they appear. Checking costs one array read per appended series.
public final class AppendWatch: Sendable {
    /// How many watches one database holds at once.
    public static let slots = 64

    public let matchers: [LabelMatcher]
    let slot: Int
    private let counter = Atomic<Int>(0)

    init(matchers: [LabelMatcher], slot: Int) {
        self.matchers = matchers
        self.slot = slot
    }

    /// Grows by one for each append that stored at least one sample of a watched series.
    public var generation: Int { counter.load(ordering: .acquiring) }

    func bump() { counter.add(1, ordering: .releasing) }

    func selects(_ labels: Labels) -> Bool {
        matchers.allSatisfy { $0.matches(labels[$0.name] ?? "") }
    }
}

extension Database {
    /// Starts counting appends to the series `matchers` select; nil when every slot is taken.
    public func watch(_ matchers: [LabelMatcher]) -> AppendWatch? {
        state.withLock { state in
            guard let slot = state.watches.firstIndex(where: { $0 == nil }) else { return nil }
            let watch = AppendWatch(matchers: matchers, slot: slot)
            state.watches[slot] = watch
            state.index.setWatchBit(slot, on: state.index.select(matchers))
            return watch
        }
    }

    public func unwatch(_ watch: AppendWatch) {
        state.withLock { state in
            guard state.watches[watch.slot] === watch else { return }
            state.watches[watch.slot] = nil
            state.index.clearWatchBit(watch.slot)
        }
    }
}

extension Database.State {
    /// Marks a new series with the watches that select it.
    mutating func watchNewSeries(_ ref: SeriesRef, labels: Labels) {
        for case let watch? in watches where watch.selects(labels) {
            index.setWatchBit(watch.slot, on: [ref])
        }
    }

    /// Tells the watches of the touched series (a mask of slots) that samples landed.
    func notifyWatches(_ touched: UInt64) {
        var bits = touched
        while bits != 0 {
            let slot = bits.trailingZeroBitCount
            watches[slot]?.bump()
            bits &= bits - 1
        }
    }
}
