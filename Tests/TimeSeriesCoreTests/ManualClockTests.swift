import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore

/// The test clock wakes sleepers when it passes their deadlines, in order, and lets a cancelled
/// sleeper go.
@Suite struct ManualClockTests {
    @Test func wakesSleepersAsItPassesTheirDeadlines() async throws {
        let clock = ManualClock(now: 1_000)
        let first = Task { try await clock.sleep(until: 1_500); return clock.now }
        let second = Task { try await clock.sleep(until: 3_000); return clock.now }
        await clock.waitForSleepers(2)
        #expect(clock.nextDeadline == 1_500)
        clock.advance(by: 499)
        #expect(clock.sleeperCount == 2)
        clock.advance(by: 1)
        #expect(try await first.value == 1_500)
        #expect(clock.sleeperCount == 1)
        clock.advance(to: 5_000)
        #expect(try await second.value == 5_000)
        #expect(clock.sleeperCount == 0)
    }

    @Test func aPastDeadlineReturnsAtOnceAndCancellationThrows() async throws {
        let clock = ManualClock(now: 10_000)
        try await clock.sleep(until: 9_000)
        let cancelled = Task { try await clock.sleep(until: 20_000) }
        await clock.waitForSleepers(1)
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(clock.sleeperCount == 0)
        #expect(clock.now == 10_000 && clock.nanoseconds == 10_000_000_000)
    }

    @Test func theSystemClockReadsWallTime() async throws {
        let clock = SystemClock()
        let before = clock.now
        try await clock.sleep(until: before + 5)
        #expect(clock.now >= before + 5)
        #expect(abs(clock.now - Date(timeIntervalSinceNow: 0).milliseconds) < 1_000)
    }
}
