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
