import Synchronization
import TimeSeriesCore

/// Counts the appends that add samples to the series some matchers select and, when it has a
/// listener, tells it at once, so a reader (a scaling policy) acts on a sample the moment it is
/// stored. Series created later are matched as they appear. Checking costs one array read per
/// appended series; telling a listener is one yield into its stream, under the append's lock.
public final class AppendWatch: Sendable {
    /// How many watches one database holds at once.
    public static let slots = 64

    public let matchers: [LabelMatcher]
    let slot: Int
    private let counter = Atomic<Int>(0)
    private let listener: AsyncStream<Void>.Continuation?

    init(matchers: [LabelMatcher], slot: Int, listener: AsyncStream<Void>.Continuation? = nil) {
        self.matchers = matchers
        self.slot = slot
        self.listener = listener
    }

    /// Grows by one for each append that stored at least one sample of a watched series.
    public var generation: Int { counter.load(ordering: .acquiring) }

    func bump() {
        counter.add(1, ordering: .releasing)
        listener?.yield()
    }

    func selects(_ labels: Labels) -> Bool {
        matchers.allSatisfy { $0.matches(labels[$0.name] ?? "") }
    }
}

extension Database: SampleArrivals {
    /// Starts counting appends to the series `matchers` select; nil when every slot is taken.
    public func watch(_ matchers: [LabelMatcher]) -> AppendWatch? {
        watch(matchers, listener: nil)
    }

    /// The appends to the series `matchers` select, as a stream: one element per append, the ones
    /// not yet read coalesced. The watch is released when the stream ends.
    public func arrivals(matching matchers: [LabelMatcher]) -> AsyncStream<Void>? {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        guard let watch = watch(matchers, listener: continuation) else { return nil }
        continuation.onTermination = { [weak self] _ in self?.unwatch(watch) }
        return stream
    }

    private func watch(_ matchers: [LabelMatcher], listener: AsyncStream<Void>.Continuation?) -> AppendWatch? {
        state.withLock { state in
            guard let slot = state.watches.firstIndex(where: { $0 == nil }) else { return nil }
            let watch = AppendWatch(matchers: matchers, slot: slot, listener: listener)
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
