import Synchronization
import TimeSeriesCore

/// Per receiver: samples read from the log, sent, retried and dropped, and the newest timestamps
/// read and sent, for `prometheus_remote_storage_*`-style metrics.
public final class ForwardingStats: Sendable {
    public struct Figures: Sendable, Equatable {
        public var read = 0
        public var sent = 0
        public var retried = 0
        public var failed = 0
        public var highestRead: Timestamp = 0
        public var highestSent: Timestamp = 0
        public var shards = 1

        public init() {}
    }

    private let figures = Mutex<[String: Figures]>([:])
    /// Per receiver: the oldest log segment it still needs (where its acknowledged position is).
    private let holds = Mutex<[String: Int]>([:])

    public init() {}

    public var all: [String: Figures] { figures.withLock { $0 } }

    func read(_ count: Int, newest: Timestamp?, receiver: String) {
        figures.withLock { $0[receiver, default: Figures()].read += count; if let newest { $0[receiver]!.highestRead = max($0[receiver]!.highestRead, newest) } }
    }

    func sent(_ count: Int, newest: Timestamp?, receiver: String) {
        figures.withLock { $0[receiver, default: Figures()].sent += count; if let newest { $0[receiver]!.highestSent = max($0[receiver]!.highestSent, newest) } }
    }

    func shards(_ count: Int, receiver: String) { figures.withLock { $0[receiver, default: Figures()].shards = count } }

    func holding(segment: Int, receiver: String) { holds.withLock { $0[receiver] = segment } }

    /// The oldest log segment any of `receivers` still needs; nil until each has said.
    public func oldestHeldSegment(of receivers: [String]) -> Int? {
        holds.withLock { holds in
            var oldest = Int.max
            for receiver in receivers {
                guard let segment = holds[receiver] else { return nil }
                oldest = min(oldest, segment)
            }
            return oldest == .max ? nil : oldest
        }
    }

    func retried(_ count: Int, receiver: String) { figures.withLock { $0[receiver, default: Figures()].retried += count } }
    func failed(_ count: Int, receiver: String) { figures.withLock { $0[receiver, default: Figures()].failed += count } }
}
