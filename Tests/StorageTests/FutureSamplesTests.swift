import Foundation
import Logging
import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import Storage

/// One sample from far ahead must not erase the database: samples beyond the future window are
/// refused and counted, and time retention never counts from beyond the clock.
@Suite struct FutureSamplesTests {
    static let day: Int64 = 86_400_000

    static func series(_ name: String, _ samples: [(Int64, Double)]) -> SeriesSamples {
        SeriesSamples(labels: Labels(["__name__": name]), samples: samples.map { Sample(timestamp: $0.0, value: $0.1) })
    }

    @Test func samplesBeyondTheWindowAreRefusedAndCounted() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let clock = ManualClock(now: 1_800_000_000_000)
        let db = try Database(directory: dir.url, clock: clock, logger: Logger(label: "test"))
        defer { db.close() }
        let result = try db.append([Self.series("x", [(1_800_000_000_000, 1), (1_800_000_600_000, 2), (1_800_000_600_001, 3)]),
                                    Self.series("y", [(Int64.max, 4)])])
        #expect(result.samplesAppended == 2)
        #expect(result.rejections == [.tooFarInFuture: 2])
        #expect(result.firstRejection?.contains("future_window (600000ms) ahead of the clock (1800000000000)") == true, "\(result)")
        #expect(db.stats.rejected[.tooFarInFuture] == 2)
        // The window moves with the clock.
        clock.advance(by: 1)
        #expect(try db.append([Self.series("x", [(1_800_000_600_001, 3)])]).samplesAppended == 1)
    }

    @Test func retentionNeverCountsFromBeyondTheClock() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let now = 1_800_000_000_000 as Int64
        let clock = ManualClock(now: now)
        var options = DatabaseOptions()
        options.futureWindow = nil  // a sender with a broken clock gets through...
        options.retentionTime = 15 * Self.day
        let db = try Database(directory: dir.url, options: options, clock: clock, logger: Logger(label: "test"))
        defer { db.close() }
        // A week of data up to now, written into blocks.
        for hour in stride(from: now - 7 * Self.day, through: now, by: 3_600_000) {
            _ = try db.append([Self.series("x", [(hour, 1)])])
        }
        _ = try db.persistAll()
        let blocks = db.stats.blocks
        #expect(blocks > 0)
        // ...with one sample 16 days ahead.
        #expect(try db.append([Self.series("far", [(now + 16 * Self.day, 1)])]).samplesAppended == 1)
        try db.maintain()
        // ...which must not delete the week the wall clock still keeps, nor stop writes at the
        // present time.
        #expect(db.select([try LabelMatcher(.equal, "__name__", "x")], mint: .min, maxt: .max).first?.samples.count == 169)
        #expect(try db.append([Self.series("x", [(now + 1000, 2)])]).samplesAppended == 1)
    }

    @Test func aSampleAtTheEndOfTimeDoesNotStopAFlush() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = DatabaseOptions()
        options.futureWindow = nil
        let db = try Database(directory: dir.url, options: options, logger: Logger(label: "test"))
        defer { db.close() }
        #expect(try db.append([Self.series("x", [(1_000, 1), (Int64.max, 2)])]).samplesAppended == 2)
        _ = try db.persistAll()
        try db.maintain()
        #expect(db.select([try LabelMatcher(.equal, "__name__", "x")], mint: .min, maxt: .max).first?.samples.map(\.value) == [1, 2])
    }
}
