import Synchronization

/// Bounds remote-write enforces before storage sees a request.
public struct RemoteWriteLimits: Sendable, Equatable {
    /// Samples in one request. Default 1,000,000 (Prometheus sends at most a few thousand).
    public var maxSamplesPerRequest = 1_000_000
    /// Requests decoded or appended at once; more are answered 503 with Retry-After. Default 64.
    public var maxInflightRequests = 64
    /// How long a request's body may take to arrive once its head has; a slower one is answered
    /// 408 and its slot freed, so clients trickling bodies cannot hold every slot. Default 1 minute.
    public var bodyTimeout: Duration = .seconds(60)

    public init() {}
}

/// Counts requests in flight and refuses those beyond the limit, so overload sheds load with a
/// retryable answer instead of queueing without bound.
final class InflightGate: Sendable {
    private let count = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Takes a slot, or returns false when all are taken.
    func enter() -> Bool {
        let now = count.add(1, ordering: .relaxed).newValue
        if now > limit {
            count.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func leave() { count.subtract(1, ordering: .relaxed) }
}
