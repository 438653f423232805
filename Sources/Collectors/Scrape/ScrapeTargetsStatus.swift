import Synchronization
import TimeSeriesCore

/// The health of every active target, as `/api/v1/targets` shows it.
public final class ScrapeTargetsStatus: Sendable {
    public struct Entry: Sendable, Equatable {
        public var target: ScrapeTarget
        public var health: String = "unknown"
        public var lastError = ""
        /// Milliseconds since the epoch; nil before the first scrape.
        public var lastScrape: Timestamp?
        public var lastScrapeDuration = 0.0
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let dropped = Mutex<[String: [[String: String]]]>([:])

    public init() {}

    private static func key(_ target: ScrapeTarget) -> String { target.scrapePool + "\u{0}" + target.url }

    func register(_ target: ScrapeTarget) {
        entries.withLock { $0[Self.key(target)] = Entry(target: target) }
    }

    func remove(_ target: ScrapeTarget) {
        _ = entries.withLock { $0.removeValue(forKey: Self.key(target)) }
    }

    func record(_ target: ScrapeTarget, error: String?, at time: Timestamp, duration: Double) {
        entries.withLock { entries in
            entries[Self.key(target), default: Entry(target: target)].health = error == nil ? "up" : "down"
            entries[Self.key(target)]!.lastError = error ?? ""
            entries[Self.key(target)]!.lastScrape = time
            entries[Self.key(target)]!.lastScrapeDuration = duration
        }
    }

    func setDropped(_ labels: [[String: String]], pool: String) {
        dropped.withLock { $0[pool] = labels }
    }

    /// The discovered labels of the targets relabeling dropped, by pool order.
    public var droppedTargets: [[String: String]] {
        dropped.withLock { all in all.keys.sorted().flatMap { all[$0]! } }
    }

    /// Targets ordered by pool, then URL.
    public var all: [Entry] {
        entries.withLock { Array($0.values) }.sorted { ($0.target.scrapePool, $0.target.url) < ($1.target.scrapePool, $1.target.url) }
    }
}
