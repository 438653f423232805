import Prometheus
import Synchronization

/// Publishes totals that other parts count (since start, never going down) as Prometheus counters:
/// each publication adds what the total grew by since the last one. Surge's own metrics use it for
/// every "since start" figure, so they are counters with `_total` as the conventions ask.
public final class CounterTotals: Sendable {
    let registry: PrometheusCollectorRegistry
    private let published = Mutex<[String: Int64]>([:])

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func set(_ name: String, labels: [(String, String)] = [], help: String, to total: Int) {
        let counter = registry.makeCounter(name: name, labels: labels, help: help)
        let key = name + labels.map { "\u{0}\($0.0)=\($0.1)" }.joined()
        let grown = published.withLock { last -> Int64 in
            let previous = last[key] ?? 0
            last[key] = max(previous, Int64(total))
            return max(0, Int64(total) - previous)
        }
        if grown > 0 { counter.increment(by: grown) }
    }

    /// Drops a counter whose subject is gone (a removed policy).
    public func remove(_ name: String, labels: [(String, String)], help: String) {
        registry.unregisterCounter(registry.makeCounter(name: name, labels: labels, help: help))
        published.withLock { $0[name + labels.map { "\u{0}\($0.0)=\($0.1)" }.joined()] = nil }
    }
}
