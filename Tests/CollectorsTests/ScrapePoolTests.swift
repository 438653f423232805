@testable import Collectors
import Testing
import TimeSeriesCore

/// The scrape pool's discovery decisions, its target diffing and the scrape schedule, as tables.
@Suite struct ScrapePoolTests {
    static func targets(_ addresses: [String], job: String = "app") -> [ScrapeTarget] {
        var config = ScrapeConfig(jobName: job)
        config.staticConfigs = [.init(targets: addresses)]
        return config.resolveTargets(discovered: []).active
    }

    typealias Step = (event: ScrapePool.Event, signature: [String], now: Timestamp, step: ScrapePool.Step)

    static func run(_ pool: ScrapePool, _ steps: [Step]) {
        var pool = pool
        for (index, expected) in steps.enumerated() {
            #expect(pool.next(expected.event, signature: expected.signature, now: expected.now) == expected.step, "step \(index)")
        }
    }

    @Test func filesAreReadWhenTheyChangeOrTheRefreshComes() {
        Self.run(ScrapePool(hasFiles: true, refresh: 60_000, filePoll: 5_000), [
            (.start, ["a|1"], 0, .init(readFiles: true, resolve: true, wakeAt: 5_000)),
            (.wake, ["a|1"], 5_000, .init(readFiles: false, resolve: false, wakeAt: 10_000)),
            (.wake, ["a|2"], 10_000, .init(readFiles: true, resolve: true, wakeAt: 15_000)),
            // A Kubernetes change resolves without reading unchanged files.
            (.kubernetesChanged, ["a|2"], 12_000, .init(readFiles: false, resolve: true, wakeAt: 17_000)),
            (.wake, ["a|2"], 69_999, .init(readFiles: false, resolve: false, wakeAt: 74_999)),
            (.wake, ["a|2"], 70_000, .init(readFiles: true, resolve: true, wakeAt: 75_000)),
        ])
    }

    @Test func withoutFilesOnlyKubernetesChangesWake() {
        Self.run(ScrapePool(hasFiles: false, refresh: 60_000), [
            (.start, [], 0, .init(readFiles: false, resolve: true, wakeAt: nil)),
            (.kubernetesChanged, [], 3_000, .init(readFiles: false, resolve: true, wakeAt: nil)),
            (.kubernetesChanged, [], 3_001, .init(readFiles: false, resolve: true, wakeAt: nil)),
        ])
    }

    @Test func targetsKeepTheirLoopAndComeBackWithANewOne() {
        var generations = TargetGenerations()
        let all = Self.targets(["a:1", "b:1", "c:1"])
        let (a, b, c) = (all[0], all[1], all[2])
        let first = generations.replace(with: [a, b])
        #expect(first.started.map(\.1) == [1, 2] && Set(first.started.map(\.0)) == [a, b] && first.stopped.isEmpty)
        let second = generations.replace(with: [b, c])
        #expect(second.started.map(\.0) == [c] && second.started.map(\.1) == [3] && second.stopped == [a])
        #expect(generations.current == [b: first.started.first { $0.0 == b }!.1, c: 3])
        let third = generations.replace(with: [a, b, c])
        #expect(third.started.map(\.0) == [a] && third.started.map(\.1) == [4] && third.stopped.isEmpty)
        let none = generations.replace(with: [])
        #expect(none.started.isEmpty && Set(none.stopped) == [a, b, c] && generations.current.isEmpty)
    }

    @Test(arguments: [
        // (interval, phase from the hash, now, first scrape)
        (Int64(15_000), UInt64(4_000), Timestamp(1_000_000), Timestamp(1_009_000)),  // 1_000_000 is at phase 10_000: 9 s to phase 4_000
        (15_000, 4_000, 1_009_000, 1_009_000),                                        // exactly on the phase
        (15_000, 4_000 + 15_000 * 7, 1_009_001, 1_024_000),                           // the hash is taken modulo the interval
        (60_000, 0, 119_999, 120_000),
    ] as [(Int64, UInt64, Timestamp, Timestamp)])
    func firstScrapeIsAtTheTargetsPhase(interval: Int64, hash: UInt64, now: Timestamp, first: Timestamp) {
        let schedule = ScrapeSchedule(interval: interval, hash: hash)
        #expect(schedule.first(atOrAfter: now) == first)
        #expect(schedule.first(atOrAfter: now) % interval == Int64(hash % UInt64(interval)))
    }

    @Test func laterScrapesFollowTheIntervalAndSkipWhatAnOverrunMissed() {
        let schedule = ScrapeSchedule(interval: 10_000, hash: 2_500)
        #expect(schedule.next(after: 102_500, now: 103_000) == 112_500)
        // The scrape at 102_500 ran until 125_000: the next slot after that is 132_500.
        #expect(schedule.next(after: 102_500, now: 125_000) == 132_500)
        #expect(schedule.next(after: 102_500, now: 112_500) == 122_500)
    }

    /// The phase comes from the target's identity, not from the process: it is the same in every
    /// run (Swift's `hashValue` is seeded per process), and different targets spread out.
    @Test func thePhaseIsStableAndSpreads() {
        let targets = Self.targets((1...200).map { "10.0.0.\($0):8080" })
        let hashes = targets.map(ScrapeSchedule.hash)
        // FNV-1a of "http://10.0.0.1:8080/metrics", "instance", "10.0.0.1:8080", "job", "app" (each
        // ended by 0xff), worked out outside Swift: a change of the hash shows up here.
        #expect(hashes[0] == 2_509_693_392_443_801_621)
        #expect(ScrapeSchedule(target: targets[0]).phase == 11_621)
        #expect(Set(hashes).count == 200)
        let phases = targets.map { ScrapeSchedule(target: $0).phase }
        let buckets = Dictionary(grouping: phases) { $0 / 1_500 }
        #expect(buckets.count == 10, "200 targets over a 15 s interval should reach every 1.5 s bucket")
    }
}
