import Foundation

/// The time every control loop reads and waits on: wall time, since samples, rule evaluations and
/// decisions are stamped with it, and a loop's next round is due at a wall time as in Prometheus.
/// Injected, so loops are tested with a clock the test moves.
public protocol LoopClock: Sendable {
    /// Nanoseconds since the Unix epoch.
    var nanoseconds: Int64 { get }
    /// Returns once the clock reads `deadline` (milliseconds) or later; throws when the task is
    /// cancelled first.
    func sleep(until deadline: Timestamp) async throws
}

extension LoopClock {
    /// Milliseconds since the Unix epoch: a sample's timestamp.
    public var now: Timestamp { nanoseconds / 1_000_000 }

    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration.inMilliseconds)
    }

    /// Seconds elapsed since `start` (nanoseconds from this clock).
    public func seconds(since start: Int64) -> Double {
        Double(nanoseconds - start) / 1e9
    }
}

/// The machine's clock.
public struct SystemClock: LoopClock {
    public init() {}

    public var nanoseconds: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    public func sleep(until deadline: Timestamp) async throws {
        let remaining = deadline * 1_000_000 - nanoseconds
        if remaining > 0 { try await Task.sleep(for: .nanoseconds(remaining)) } else { try Task.checkCancellation() }
    }
}

/// The one conversion between Core's time (milliseconds) and Foundation's `Date`, which the Scaling
/// target's schedules and forecasts use.
extension Date {
    public init(milliseconds: Timestamp) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    public var milliseconds: Timestamp {
        Timestamp((timeIntervalSince1970 * 1000).rounded())
    }
}
