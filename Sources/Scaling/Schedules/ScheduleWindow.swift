import Foundation

/// A window during which a policy keeps at least `minReplicas`: recurring between two cron
/// expressions (active from a start firing until the next end firing, so a window may cross
/// midnight), or once between two dates for a sales event.
public struct ScheduleWindow: Sendable, Equatable {
    public enum Timing: Sendable, Equatable {
        case recurring(start: CronExpression, end: CronExpression)
        case once(start: Date, end: Date)
    }

    public var name: String
    public var timing: Timing
    public var timeZone: TimeZone
    public var minReplicas: Int

    public init(name: String, timing: Timing, timeZone: TimeZone, minReplicas: Int) {
        self.name = name
        self.timing = timing
        self.timeZone = timeZone
        self.minReplicas = minReplicas
    }

    /// Whether the window holds at `date`, and until when that answer stays the same (nil: forever).
    public func state(at date: Date) -> (active: Bool, until: Date?) {
        switch timing {
        case .once(let start, let end):
            if date < start { return (false, start) }
            if date < end { return (true, end) }
            return (false, nil)
        case .recurring(let start, let end):
            let nextStart = start.next(after: date, in: timeZone)
            let nextEnd = end.next(after: date, in: timeZone)
            switch (nextStart, nextEnd) {
            case (nil, nil): return (false, nil)
            case (let s?, nil): return (false, s)
            case (nil, let e?): return (false, e)
            case (let s?, let e?):
                // Inside a window the end comes before the next start.
                return e < s ? (true, e) : (false, s)
            }
        }
    }

    public func isActive(at date: Date) -> Bool { state(at: date).active }
}

/// The floor the active windows set: the largest `minReplicas` among them.
public struct ScheduleFloor: Sendable, Equatable {
    public var replicas: Int
    public var activeWindows: [String]

    public static func at(_ date: Date, windows: [ScheduleWindow]) -> ScheduleFloor {
        var floor = ScheduleFloor(replicas: 0, activeWindows: [])
        for window in windows where window.isActive(at: date) {
            floor.replicas = max(floor.replicas, window.minReplicas)
            floor.activeWindows.append(window.name)
        }
        return floor
    }
}

/// Evaluates windows along a clock that only moves forward, recomputing only when a window's state
/// may have changed: the backtest asks at every step.
public struct ScheduleTracker: Sendable {
    public let windows: [ScheduleWindow]
    private var cached: [(active: Bool, until: Date?)?]

    public init(windows: [ScheduleWindow]) {
        self.windows = windows
        cached = Array(repeating: nil, count: windows.count)
    }

    public mutating func floor(at date: Date) -> ScheduleFloor {
        var floor = ScheduleFloor(replicas: 0, activeWindows: [])
        for index in windows.indices {
            let isFresh = cached[index].map { state in state.until.map { date < $0 } ?? true } ?? false
            if !isFresh { cached[index] = windows[index].state(at: date) }
            if cached[index]?.active == true {
                floor.replicas = max(floor.replicas, windows[index].minReplicas)
                floor.activeWindows.append(windows[index].name)
            }
        }
        return floor
    }
}
