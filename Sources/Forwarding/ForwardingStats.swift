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

        public init() {}
    }

    private let figures = Mutex<[String: Figures]>([:])

    public init() {}

    public var all: [String: Figures] { figures.withLock { $0 } }

    func read(_ count: Int, newest: Timestamp?, receiver: String) {
        figures.withLock { $0[receiver, default: Figures()].read += count; if let newest { $0[receiver]!.highestRead = max($0[receiver]!.highestRead, newest) } }
    }

    func sent(_ count: Int, newest: Timestamp?, receiver: String) {
        figures.withLock { $0[receiver, default: Figures()].sent += count; if let newest { $0[receiver]!.highestSent = max($0[receiver]!.highestSent, newest) } }
    }

    func retried(_ count: Int, receiver: String) { figures.withLock { $0[receiver, default: Figures()].retried += count } }
    func failed(_ count: Int, receiver: String) { figures.withLock { $0[receiver, default: Figures()].failed += count } }
}
