import Foundation
import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import Storage

@Suite struct CompactionTests {
    static let minute: Int64 = 60_000

    static func options(blockRange: Int64 = 10 * minute, retention: Int64? = nil) -> DatabaseOptions {
        var options = DatabaseOptions()
        options.blockRange = blockRange
        options.retentionTime = retention
        return options
    }

    @Test func headIsCutIntoBlocksAndQueriesAreIdentical() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, options: Self.options(), logger: StorageFixtures.logger)
        // 40 series over 95 minutes at 15 s: 9 block ranges of 10 minutes.
        let workload = StorageFixtures.workload(series: 40, start: 0, step: 15_000, count: 380)
        try StorageFixtures.ingest(workload, into: db)
        let before = try StorageFixtures.everything(db)
        let partial = try StorageFixtures.everything(db, mint: 7 * Self.minute + 1, maxt: 33 * Self.minute)
        let report = try db.maintain()
        #expect(report.blocksWritten.count >= 8)
        // Three 10-minute blocks fill a 30-minute level-2 range and are merged.
        #expect(db.blocks.contains { $0.compaction.level == 2 })
        #expect(db.stats.headMinTime! >= db.blocks.map(\.maxTime).max()!)
        #expect(try StorageFixtures.everything(db) == before)
        #expect(try StorageFixtures.everything(db, mint: 7 * Self.minute + 1, maxt: 33 * Self.minute) == partial)
        #expect(db.series([try LabelMatcher(.equal, "namespace", "ns-1")], mint: 0, maxt: .max).count == 13)
        #expect(db.labelValues("namespace", matching: [], mint: .min, maxt: .max) == ["ns-0", "ns-1", "ns-2"])

        // Restart: blocks load, the WAL checkpoint plus later segments rebuild the head.
        db.close()
        let reopened = try Database(directory: dir.url, options: Self.options(), logger: StorageFixtures.logger)
        #expect(try StorageFixtures.everything(reopened) == before)
        // Samples older than the newest block are refused with a reason, not lost silently.
        let old = try reopened.append([SeriesSamples(labels: workload[0].labels, samples: [Sample(timestamp: 1000, value: 1)])])
        #expect(old.rejections[.tooOld] == 1)
    }

    @Test func blocksMergeIntoLargerLevelsWithIdenticalResults() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, options: Self.options(blockRange: 5 * Self.minute), logger: StorageFixtures.logger)
        let workload = StorageFixtures.workload(series: 30, start: 0, step: 15_000, count: 4 * 60 * 2)
        try StorageFixtures.ingest(workload, into: db)
        let before = try StorageFixtures.everything(db)
        let report = try db.maintain()
        #expect(!report.blocksMerged.isEmpty)
        #expect(db.blocks.contains { $0.compaction.level >= 2 && $0.maxTime - $0.minTime == 15 * Self.minute })
        #expect(try StorageFixtures.everything(db) == before)
        // Blocks never overlap after a pass, and the merged ones name their sources.
        let metas = db.blocks
        for (a, b) in zip(metas, metas.dropFirst()) { #expect(a.maxTime <= b.minTime) }
        #expect(metas.filter { $0.compaction.level >= 2 }.allSatisfy { $0.compaction.sources.count >= 2 })
        #expect(metas.reduce(0) { $0 + $1.stats.numSamples } + (db.stats.samplesAppended - db.stats.blockSamples) >= 0)
    }

    @Test func outOfOrderSamplesWithinTheWindowAreStoredAndPersisted() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = Self.options()
        options.outOfOrderWindow = 5 * Self.minute
        let db = try Database(directory: dir.url, options: options, logger: StorageFixtures.logger)
        let series = StorageFixtures.labels("late")
        _ = try db.append([SeriesSamples(labels: series, samples: [Sample(timestamp: 10 * Self.minute, value: 10)])])
        let late = try db.append([SeriesSamples(labels: series, samples: [
            Sample(timestamp: 6 * Self.minute, value: 6), Sample(timestamp: 9 * Self.minute, value: 9),
            Sample(timestamp: 2 * Self.minute, value: 2),
        ])])
        #expect(late.samplesAppended == 2)
        #expect(late.rejections[.tooOld] == 1)
        let expected = [6.0, 9, 10]
        #expect(try StorageFixtures.everything(db).first?.samples.map(\.value) == expected)
        db.close()
        let reopened = try Database(directory: dir.url, options: options, logger: StorageFixtures.logger)
        #expect(try StorageFixtures.everything(reopened).first?.samples.map(\.value) == expected)
        try reopened.persistAll()
        #expect(reopened.blocks.count == 1)
        #expect(try StorageFixtures.everything(reopened).first?.samples.map(\.value) == expected)

        // Refused by default, with the reason.
        let strictDir = try TemporaryDirectory()
        defer { strictDir.remove() }
        let strict = try Database(directory: strictDir.url, options: Self.options(), logger: StorageFixtures.logger)
        _ = try strict.append([SeriesSamples(labels: series, samples: [Sample(timestamp: 10 * Self.minute, value: 10)])])
        let refused = try strict.append([SeriesSamples(labels: series, samples: [Sample(timestamp: 9 * Self.minute, value: 9)])])
        #expect(refused.outOfOrder == 1)
        #expect(refused.firstRejection?.contains("out of order sample") == true)
    }

    @Test func persistingEverythingWritesOneBlockAndAppendsGoOnRightAfter() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, options: Self.options(), logger: StorageFixtures.logger)
        // 25 minutes of samples: three 10-minute windows, written as one block.
        let workload = StorageFixtures.workload(series: 10, start: 3 * Self.minute, step: 30_000, count: 50)
        try StorageFixtures.ingest(workload, into: db)
        let before = try StorageFixtures.everything(db)
        let newest = 3 * Self.minute + 49 * 30_000
        try db.persistAll()
        #expect(db.blocks.count == 1)
        #expect(db.blocks.first?.minTime == 0 && db.blocks.first?.maxTime == newest + 1)
        #expect(try StorageFixtures.everything(db) == before)
        // The next sample, within the last aligned window, is still accepted.
        let next = try db.append([SeriesSamples(labels: workload[0].labels, samples: [Sample(timestamp: newest + 30_000, value: 1)])])
        #expect(next.samplesAppended == 1)
        let late = try db.append([SeriesSamples(labels: workload[0].labels, samples: [Sample(timestamp: newest, value: 1)])])
        #expect(late.samplesAppended == 0)
    }

    @Test func seriesEstimatesBoundTheSelectionFromPostingsSizes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, options: Self.options(), logger: StorageFixtures.logger)
        // Ten series: requests_total on even numbers, namespace ns-(n % 3).
        try StorageFixtures.ingest(StorageFixtures.workload(series: 10, start: 0, step: 30_000, count: 20), into: db)
        let cases: [([LabelMatcher], estimate: Int, actual: Int)] = [
            ([try LabelMatcher(.equal, "__name__", "requests_total")], 5, 5),
            // The smaller list (ns-1: series 1, 4, 7) bounds the intersection (series 4).
            ([try LabelMatcher(.equal, "__name__", "requests_total"), try LabelMatcher(.equal, "namespace", "ns-1")], 3, 1),
            ([try LabelMatcher(.regexMatch, "pod", "pod-[12]"), try LabelMatcher(.regexMatch, "namespace", "ns-.*")], 2, 2),
            ([try LabelMatcher(.equal, "__name__", "absent")], 0, 0),
            // A matcher that takes the empty value narrows nothing: every series may match.
            ([try LabelMatcher(.notEqual, "namespace", "ns-0")], 10, 6),
        ]
        for (matchers, estimate, actual) in cases {
            #expect(db.estimatedSeriesCount(matchers) == estimate, "\(matchers)")
            #expect(db.series(matchers, mint: .min, maxt: .max).count == actual, "\(matchers)")
        }
        try db.persistAll()
        let block = try #require(db.state.withLock { $0.blocks.first })
        for (matchers, estimate, _) in cases {
            #expect(block.index.estimatedCount(matchers) == estimate, "\(matchers)")
        }
    }

    @Test func retentionDropsOnlyExpiredBlocksAndKeepsTheRestIdentical() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, options: Self.options(retention: 60 * Self.minute), logger: StorageFixtures.logger)
        let workload = StorageFixtures.workload(series: 20, start: 0, step: 30_000, count: 2 * 150)
        try StorageFixtures.ingest(workload, into: db)
        let newest = 149 * Self.minute + 30_000
        let recent = try StorageFixtures.everything(db, mint: newest - 50 * Self.minute, maxt: .max)
        let report = try db.maintain()
        #expect(!report.blocksDeleted.isEmpty)
        #expect(try StorageFixtures.everything(db, mint: newest - 50 * Self.minute, maxt: .max) == recent)
        #expect(try StorageFixtures.everything(db, mint: 0, maxt: 30 * Self.minute).isEmpty)
        #expect(db.blocks.allSatisfy { newest - ($0.maxTime - 1) <= 60 * Self.minute })
    }

    @Test func sizeRetentionDeletesOldestBlocksFirst() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = Self.options()
        let db = try Database(directory: dir.url, options: options, logger: StorageFixtures.logger)
        try StorageFixtures.ingest(StorageFixtures.workload(series: 20, start: 0, step: 15_000, count: 400), into: db)
        _ = try db.maintain()
        try db.persistAll()
        #expect(db.blocks.count >= 3)
        db.close()
        options.retentionBytes = 1  // nothing fits
        let strict = try Database(directory: dir.url, options: options, logger: StorageFixtures.logger)
        let report = try strict.maintain()
        #expect(!report.blocksDeleted.isEmpty)
        #expect(strict.blocks.isEmpty)

        func meta(_ id: String, _ min: Int64) -> BlockMeta {
            BlockMeta(ulid: id, minTime: min, maxTime: min + 10, stats: .init(numSamples: 1, numSeries: 1, numChunks: 1),
                      compaction: .init(level: 1, sources: [id]))
        }
        let blocks = [(meta("new", 20), 100), (meta("old", 0), 100), (meta("mid", 10), 100)]
        #expect(RetentionPolicy.expired(blocks, time: nil, bytes: 200, newestTime: 30, otherBytes: 40) == ["old", "mid"])
        #expect(RetentionPolicy.expired(blocks, time: nil, bytes: 340, newestTime: 30, otherBytes: 40) == [])
        #expect(RetentionPolicy.expired(blocks, time: 15, bytes: nil, newestTime: 30, otherBytes: 0) == ["old"])
    }

    @Test func plannerPicksOverlapsFirstThenFullRanges() {
        func meta(_ id: String, _ min: Int64, _ max: Int64, level: Int = 1) -> BlockMeta {
            BlockMeta(ulid: id, minTime: min, maxTime: max, stats: .init(numSamples: 1, numSeries: 1, numChunks: 1),
                      compaction: .init(level: level, sources: [id]))
        }
        let ranges = CompactionPlanner.ranges(blockRange: 2, retention: nil)
        #expect(ranges.prefix(3) == [2, 6, 18])
        // The newest block is left alone, so two blocks of a range are not enough...
        #expect(CompactionPlanner.plan([meta("a", 0, 2), meta("b", 2, 4)], ranges: ranges) == nil)
        #expect(CompactionPlanner.plan([meta("a", 0, 2), meta("b", 2, 4), meta("c", 4, 6)], ranges: ranges) == nil)
        // ...until a later block exists: the full range [0, 6) is merged, then the partial [6, 12) waits.
        #expect(CompactionPlanner.plan([meta("a", 0, 2), meta("b", 2, 4), meta("c", 4, 6), meta("d", 6, 8)], ranges: ranges) == [0, 1, 2])
        #expect(CompactionPlanner.plan([meta("abc", 0, 6), meta("d", 6, 8), meta("e", 8, 10)], ranges: ranges) == nil)
        // A partial group entirely before the newest remaining block is merged too.
        #expect(CompactionPlanner.plan([meta("a", 0, 2), meta("b", 2, 4), meta("x", 20, 22), meta("y", 22, 24)], ranges: ranges) == [0, 1])
        #expect(CompactionPlanner.plan([meta("a", 0, 4), meta("b", 2, 6), meta("c", 10, 12)], ranges: ranges) == [0, 1])
        let hours = CompactionPlanner.ranges(blockRange: 2 * 3_600_000, retention: 15 * 24 * 3_600_000).map { $0 / 3_600_000 }
        #expect(hours == [2, 6, 18])
    }
}
