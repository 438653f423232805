import Synchronization
import TimeSeriesCore

/// A clock that moves only when a test moves it. Loops sleeping on it wake when `advance` passes
/// their deadline; a test waits for a loop to reach its sleep with `waitForSleepers`, so nothing
/// in a loop test sleeps for real.
public final class ManualClock: LoopClock {
    struct Sleeper {
        let id: Int
        let deadline: Timestamp
        let continuation: CheckedContinuation<Void, any Error>
    }

    struct State {
        var nanoseconds: Int64
        var sleepers: [Sleeper] = []
        var nextID = 0
        /// Tests waiting for a number of sleepers.
        var watchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state: Mutex<State>

    /// Starts at `now` milliseconds since the epoch.
    public init(now: Timestamp = 1_700_000_000_000) {
        state = Mutex(State(nanoseconds: now * 1_000_000))
    }

    public var nanoseconds: Int64 { state.withLock { $0.nanoseconds } }

    public func sleep(until deadline: Timestamp) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.nanoseconds >= deadline * 1_000_000 { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    Self.notifyWatchers(&state)
                    return nil
                }
                if let resume { continuation.resume(with: resume) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward and wakes every sleeper whose deadline it reaches.
    public func advance(by milliseconds: Int64) {
        let woken = state.withLock { state -> [Sleeper] in
            state.nanoseconds += milliseconds * 1_000_000
            let now = state.nanoseconds
            let due = state.sleepers.filter { $0.deadline * 1_000_000 <= now }
            state.sleepers.removeAll { $0.deadline * 1_000_000 <= now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    /// Moves the clock to `time` (milliseconds), if that is later than now.
    public func advance(to time: Timestamp) {
        advance(by: max(time - nanoseconds / 1_000_000, 0))
    }

    /// How many tasks sleep on the clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline a task sleeps until, if any.
    public var nextDeadline: Timestamp? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    /// Returns once at least `count` tasks sleep on the clock.
    public func waitForSleepers(_ count: Int = 1) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.sleepers.count >= count { return true }
                state.watchers.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private static func notifyWatchers(_ state: inout State) {
        let count = state.sleepers.count
        let ready = state.watchers.filter { $0.count <= count }
        state.watchers.removeAll { $0.count <= count }
        for watcher in ready { watcher.continuation.resume() }
    }
}
