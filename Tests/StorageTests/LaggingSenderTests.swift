import Foundation
import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import Storage

/// Writing the head into blocks must not refuse senders that run behind: a flush, a block cut and
/// a restart keep accepting samples within the ingestion lag, and what arrives late is merged with
/// the blocks, never lost or doubled.
@Suite struct LaggingSenderTests {
    static let second: Int64 = 1000
    static let start: Int64 = 1_700_000_000_000

    static func options() -> DatabaseOptions {
        var options = DatabaseOptions()
        options.futureWindow = nil
        return options
    }

    /// Sender A is current; sender B runs 30 s behind. Both write every 15 s from `from` for `steps`.
    static func write(_ db: Database, from: Int64, steps: Int) throws -> (refused: Int, appended: Int) {
        var refused = 0, appended = 0
        for step in 0..<steps {
            let t = from + Int64(step) * 15 * second
            for (sender, lag) in [("a", Int64(0)), ("b", 30 * second)] {
                let batch = (0..<20).map { pod in
                    SeriesSamples(labels: StorageFixtures.labels("requests_total", ["sender": sender, "pod": "p\(pod)"]),
                                  samples: [Sample(timestamp: t - lag, value: Double(t / second + Int64(pod)))])
                }
                let result = try db.append(batch)
                refused += result.rejections.values.reduce(0, +)
                appended += result.samplesAppended
            }
        }
        return (refused, appended)
    }

    @Test func aFlushDoesNotRefuseASenderRunningBehind() throws {
        let dir = try TemporaryDirectory()
        let reference = try TemporaryDirectory()
        defer { dir.remove(); reference.remove() }
        let db = try Database(directory: dir.url, options: Self.options(), logger: StorageFixtures.logger)
        let unflushed = try Database(directory: reference.url, options: Self.options(), logger: StorageFixtures.logger)
        for target in [db, unflushed] { _ = try Self.write(target, from: Self.start, steps: 40) }
        try db.persistAll()
        #expect(db.blocks.count == 1)
        // A lagging sender resending what the block already holds doubles nothing.
        let last = Self.start + 39 * 15 * Self.second - 30 * Self.second
        let resent = try db.append([SeriesSamples(labels: StorageFixtures.labels("requests_total", ["sender": "b", "pod": "p0"]),
                                                  samples: [Sample(timestamp: last, value: Double(last / Self.second + 30))])])
        #expect(resent.rejections.isEmpty && resent.samplesAppended == 1)
        #expect(try StorageFixtures.everything(db) == (try StorageFixtures.everything(unflushed)))
        // The 99 writes after the flush, the lagging sender's included, are all accepted.
        let after = try Self.write(db, from: Self.start + 40 * 15 * Self.second, steps: 50)
        _ = try Self.write(unflushed, from: Self.start + 40 * 15 * Self.second, steps: 50)
        #expect(after.refused == 0)
        #expect(after.appended == 50 * 2 * 20)
        let expected = try StorageFixtures.everything(unflushed)
        #expect(try StorageFixtures.everything(db) == expected)

        // A restart keeps the late samples (they are in the WAL, older than the block's end).
        db.close()
        let reopened = try Database(directory: dir.url, options: Self.options(), logger: StorageFixtures.logger)
        #expect(try StorageFixtures.everything(reopened) == expected)
        // Another flush overlaps the first block; compaction merges the two into one.
        try reopened.persistAll()
        try reopened.maintain()
        let metas = reopened.blocks
        for (a, b) in zip(metas, metas.dropFirst()) { #expect(a.maxTime <= b.minTime) }
        #expect(try StorageFixtures.everything(reopened) == expected)
        // Older than the lag behind the newest sample is still too old.
        let newest = reopened.blocks.map(\.maxTime).max()! - 1
        let stale = try reopened.append([SeriesSamples(labels: StorageFixtures.labels("late"),
                                                       samples: [Sample(timestamp: newest - Self.options().ingestionLag - 1, value: 1)])])
        #expect(stale.rejections[.tooOld] == 1)
        let withinLag = try reopened.append([SeriesSamples(labels: StorageFixtures.labels("late"),
                                                           samples: [Sample(timestamp: newest - Self.options().ingestionLag + 1000, value: 1)])])
        #expect(withinLag.samplesAppended == 1)
    }

    /// A chunk that grew after the snapshot a block was written from stays in the head whole.
    @Test func truncationKeepsWhatArrivedAfterTheSnapshot() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try HeadChunkStore(directory: dir.url)
        var series = MemSeries(labels: StorageFixtures.labels("m"))
        for t in stride(from: Int64(0), to: 300_000, by: 15_000) {
            _ = series.append(t, 1, allowOutOfOrder: true, blockRange: 7_200_000, store: store)
        }
        let seenUpTo = series.maxTime
        _ = series.append(315_000, 2, allowOutOfOrder: true, blockRange: 7_200_000, store: store)
        _ = series.append(100_000, 3, allowOutOfOrder: true, blockRange: 7_200_000, store: store)
        series.truncate(before: 400_000, seenUpTo: seenUpTo, seenOutOfOrder: [])
        #expect(series.maxTime == 315_000)
        #expect(series.minTime == 0, "the grown chunk keeps its older samples")
        #expect(series.outOfOrder.map(\.timestamp) == [100_000], "an out-of-order sample the snapshot did not have stays")
        series.truncate(before: 400_000, seenUpTo: 315_000, seenOutOfOrder: [100_000])
        #expect(series.isEmpty)
    }
}
