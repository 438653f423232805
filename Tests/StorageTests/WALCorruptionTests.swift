import Foundation
import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import Storage

/// Damage at every byte of the last WAL record: replay keeps everything before it, reports the
/// cut, and appends continue after the last good record.
@Suite struct WALCorruptionTests {
    @Test(arguments: [false, true])
    func everyByteOfTheLastRecord(truncate: Bool) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let seed = dir.url.appendingPathComponent("seed")
        do {
            let db = try Database(directory: seed, logger: StorageFixtures.logger)
            _ = try db.append([SeriesSamples(labels: StorageFixtures.labels("kept"), samples: [Sample(timestamp: 1, value: 1)])])
            _ = try db.append([SeriesSamples(labels: StorageFixtures.labels("kept"), samples: [Sample(timestamp: 2, value: 2)])])
            db.close()
        }
        let segmentURL = seed.appendingPathComponent("wal/00000000")
        let intact = try Data(contentsOf: segmentURL)
        // The last record: one samples record of the second append.
        var lastStart = 0
        try intact.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                lastStart = offset
                offset += WALRecord.headerSize + Int(ByteReader.u32LE(buffer, at: offset + 1))
            }
            try #require(offset == buffer.count)
        }
        for position in lastStart..<intact.count {
            let data = dir.url.appendingPathComponent("case-\(position)")
            try FileManager.default.createDirectory(at: data.appendingPathComponent("wal"), withIntermediateDirectories: true)
            var damaged = intact
            if truncate {
                damaged = damaged.prefix(position)
            } else {
                damaged[position] ^= 0x5a
            }
            try damaged.write(to: data.appendingPathComponent("wal/00000000"))
            let db = try Database(directory: data, logger: StorageFixtures.logger)
            let kept = db.select([try LabelMatcher(.equal, "__name__", "kept")], mint: .min, maxt: .max)
            #expect(kept.first?.samples.map(\.value) == [1], "damage at byte \(position)")
            #expect(try Data(contentsOf: data.appendingPathComponent("wal/00000000")).count == lastStart)
            _ = try db.append([SeriesSamples(labels: StorageFixtures.labels("kept"), samples: [Sample(timestamp: 5, value: 5)])])
            db.close()
            let again = try Database(directory: data, logger: StorageFixtures.logger)
            #expect(again.select([try LabelMatcher(.equal, "__name__", "kept")], mint: .min, maxt: .max).first?.samples.map(\.value) == [1, 5])
            again.close()
            try FileManager.default.removeItem(at: data)
        }
    }
}

/// Damage in the middle of the log loses only the damaged records: every intact record after them,
/// in the same segment and in later ones, is replayed, and the loss is logged.
@Suite struct WALMiddleDamageTests {
    @Test(arguments: [0.1, 0.5])
    func intactRecordsAfterTheDamageAreKept(position: Double) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = DatabaseOptions()
        options.walSegmentSize = 1 << 16
        options.futureWindow = nil
        let series = 50
        let rounds = 300
        do {
            let db = try Database(directory: dir.url, options: options, logger: StorageFixtures.logger)
            for round in 0..<rounds {
                _ = try db.append((0..<series).map { index in
                    SeriesSamples(labels: StorageFixtures.labels("m\(index)"), samples: [Sample(timestamp: Int64(round) * 1000, value: Double(round))])
                })
            }
            db.close()
        }
        let wal = dir.url.appendingPathComponent("wal")
        let segments = try FileManager.default.contentsOfDirectory(atPath: wal.path).filter { $0.count == 8 }.sorted()
        try #require(segments.count >= 3, "\(segments)")
        // 16 flipped bytes inside the first segment.
        let first = wal.appendingPathComponent(segments[0])
        var bytes = try [UInt8](Data(contentsOf: first))
        let at = Int(Double(bytes.count) * position)
        for offset in at..<at + 16 { bytes[offset] ^= 0xa5 }
        try Data(bytes).write(to: first)

        let entries = SharedValue<[RecordingLogHandler.Entry]>([])
        let db = try Database(directory: dir.url, options: options, logger: RecordingLogHandler.logger(into: entries))
        defer { db.close() }
        let stored = db.select([try LabelMatcher(.regexMatch, "__name__", "m.*")], mint: .min, maxt: .max).reduce(0) { $0 + $1.samples.count }
        // At most a couple of records (one append's samples, a series record) were damaged.
        #expect(stored >= series * rounds - 2 * series && stored < series * rounds, "\(stored) of \(series * rounds)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: wal.path).filter { $0.count == 8 }.sorted() == segments)
        #expect(entries.value.contains { $0.level == .error && $0.message.contains("intact record after them kept") })
        // The newest samples of every series are there, and appends carry on.
        #expect(try db.append([SeriesSamples(labels: StorageFixtures.labels("m0"), samples: [Sample(timestamp: Int64(rounds) * 1000, value: 1)])])
                    .samplesAppended == 1)
    }
}
