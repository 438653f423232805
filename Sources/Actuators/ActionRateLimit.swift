import Synchronization

/// Caps how often replicas are changed: at most `perTarget` changes of one target and `overall`
/// changes of all targets within any `window` (sliding). A decision over a cap is held, and says
/// which cap held it; the next allowed sync applies what it then decides.
public struct ActionRateLimit: Sendable, Equatable {
    public let perTarget: Int
    public let overall: Int
    public let window: Int64
    private var recent: [(target: String, time: Int64)] = []

    public init(perTarget: Int = 10, overall: Int = 100, window: Int64 = 60_000) {
        self.perTarget = perTarget
        self.overall = overall
        self.window = window
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.perTarget == b.perTarget && a.overall == b.overall && a.window == b.window
            && a.recent.map(\.target) == b.recent.map(\.target) && a.recent.map(\.time) == b.recent.map(\.time)
    }

    /// Takes one change of `target` at `now` when both caps allow it (nil), or says why not.
    public mutating func take(_ target: String, at now: Int64) -> String? {
        recent.removeAll { $0.time <= now - window }
        let seconds = window / 1000
        if recent.count >= overall { return "the global limit of \(overall) changes in \(seconds) s is reached" }
        if recent.filter({ $0.target == target }).count >= perTarget {
            return "the limit of \(perTarget) changes of this target in \(seconds) s is reached"
        }
        recent.append((target, now))
        return nil
    }
}

/// The rate limit shared by every policy's loop.
public final class SharedActionRateLimit: Sendable {
    private let state: Mutex<ActionRateLimit>

    public init(_ limit: ActionRateLimit) { state = Mutex(limit) }

    public func take(_ target: String, at now: Int64) -> String? { state.withLock { $0.take(target, at: now) } }
}
