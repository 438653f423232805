import ScalingRuntime
import Testing
import TimeSeriesCore

/// The scaling loop's decisions between rounds, as tables of (event, clock) → action.
@Suite struct ScalingLoopTests {
    typealias Step = (event: ScalingLoop.Event, now: Timestamp, action: ScalingLoop.Action)

    static func run(_ steps: [Step], interval: Int64 = 15_000) {
        var loop = ScalingLoop(interval: interval)
        for (index, step) in steps.enumerated() {
            let action = loop.next(step.event, now: step.now)
            #expect(action == step.action, "step \(index): \(step.event) at \(step.now)")
        }
    }

    @Test func syncsAtEveryInterval() {
        Self.run([
            (.start, 0, .readWorkload),
            (.workloadRead(succeeded: true), 5, .decide(.interval)),
            (.decided, 40, .sleep(until: 15_000)),
            (.wake, 15_000, .readWorkload),
            (.workloadRead(succeeded: true), 15_010, .decide(.interval)),
            (.decided, 15_020, .sleep(until: 30_000)),
        ])
    }

    @Test func anArrivalDecidesAtOnceOnTheWorkloadAsLastRead() {
        Self.run([
            (.start, 0, .readWorkload),
            (.workloadRead(succeeded: true), 0, .decide(.interval)),
            (.decided, 0, .sleep(until: 15_000)),
            (.arrival, 3_000, .decide(.arrival)),
            (.decided, 3_002, .sleep(until: 15_000)),
            (.arrival, 9_000, .decide(.arrival)),
            (.decided, 9_001, .sleep(until: 15_000)),
        ])
    }

    @Test func anArrivalAfterTheDueTimeStartsTheSync() {
        Self.run([
            (.start, 0, .readWorkload),
            (.workloadRead(succeeded: true), 0, .decide(.interval)),
            (.decided, 0, .sleep(until: 15_000)),
            (.arrival, 15_500, .readWorkload),
            (.workloadRead(succeeded: true), 15_600, .decide(.interval)),
            // The next sync counts from when this one started.
            (.decided, 15_700, .sleep(until: 30_500)),
        ])
    }

    @Test func withoutAWorkloadArrivalsWaitForTheNextSync() {
        Self.run([
            (.start, 0, .readWorkload),
            (.workloadRead(succeeded: false), 100, .sleep(until: 15_000)),
            (.arrival, 4_000, .sleep(until: 15_000)),
            (.wake, 15_000, .readWorkload),
            (.workloadRead(succeeded: true), 15_001, .decide(.interval)),
            (.decided, 15_002, .sleep(until: 30_000)),
            (.arrival, 16_000, .decide(.arrival)),
        ])
    }

    @Test func aStaleWakeSleepsAgainAndALongDecisionSyncsAtOnce() {
        Self.run([
            (.start, 0, .readWorkload),
            (.workloadRead(succeeded: true), 0, .decide(.interval)),
            (.decided, 0, .sleep(until: 15_000)),
            (.wake, 14_000, .sleep(until: 15_000)),
            (.wake, 15_000, .readWorkload),
            (.workloadRead(succeeded: true), 15_000, .decide(.interval)),
            // The decision took longer than the interval: the next sync starts right away.
            (.decided, 31_000, .readWorkload),
        ])
    }

    @Test func theIntervalIsAtLeastOneMillisecond() {
        var loop = ScalingLoop(interval: 0)
        #expect(loop.interval == 1)
        #expect(loop.next(.start, now: 10) == .readWorkload)
        #expect(loop.next(.workloadRead(succeeded: false), now: 10) == .sleep(until: 11))
    }
}
