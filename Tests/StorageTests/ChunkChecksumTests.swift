import Foundation
import Logging
import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import Storage

/// Block chunks carry a CRC-32C; a chunk that fails it is left out of answers, counted and logged,
/// never decoded into wrong values.
@Suite struct ChunkChecksumTests {
    static func written(_ series: Int, _ t: Int64) -> Double { Double(series * 1_000 + Int(t / 15_000) * 7 % 997) }

    @Test(arguments: [0.3, 0.5, 0.7])
    func flippedBytesAreNeverAnsweredAsValues(position: Double) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let entries = SharedValue<[RecordingLogHandler.Entry]>([])
        let logger = RecordingLogHandler.logger(into: entries)
        var options = DatabaseOptions()
        options.futureWindow = nil
        do {
            let db = try Database(directory: dir.url, options: options, logger: logger)
            for series in 0..<8 {
                let samples = (0..<240).map { Sample(timestamp: Int64($0) * 15_000, value: Self.written(series, Int64($0) * 15_000)) }
                _ = try db.append([SeriesSamples(labels: Labels(["__name__": "x", "s": "\(series)"]), samples: samples)])
            }
            _ = try db.persistAll()
            db.close()
        }
        // Damage the middle of the chunk file.
        let chunks = try #require(FileManager.default.subpathsOfDirectory(atPath: dir.path).first { $0.hasSuffix("chunks/000001") })
        let path = dir.url.appendingPathComponent(chunks).path
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let at = Int(Double(bytes.count) * position)
        for offset in at..<at + 4 { bytes[offset] ^= 0x5a }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let db = try Database(directory: dir.url, options: options, logger: logger)
        defer { db.close() }
        let answer = db.select([try LabelMatcher(.equal, "__name__", "x")], mint: .min, maxt: .max)
        var returned = 0
        for series in answer {
            let index = Int(series.labels["s"] ?? "") ?? -1
            for sample in series.samples {
                #expect(sample.value == Self.written(index, sample.timestamp), "series \(index) at \(sample.timestamp): \(sample.value)")
            }
            returned += series.samples.count
        }
        #expect(returned < 8 * 240, "the damaged chunk's samples are left out")
        #expect(db.stats.damagedChunkReads >= 1)
        #expect(entries.value.contains { $0.level == .error && $0.message.contains("failed their checksum") })
    }

    /// A damaged or truncated block is found by a whole-file check (which `surge serve` runs at start).
    @Test func damagedAndTruncatedBlocksAreReported() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = DatabaseOptions()
        options.futureWindow = nil
        do {
            let db = try Database(directory: dir.url, options: options, logger: StorageFixtures.logger)
            for series in 0..<4 {
                let samples = (0..<240).map { Sample(timestamp: Int64($0) * 15_000, value: Double(series + $0)) }
                _ = try db.append([SeriesSamples(labels: Labels(["__name__": "x", "s": "\(series)"]), samples: samples)])
            }
            _ = try db.persistAll()
            #expect(db.verifyBlocks().isEmpty)
            db.close()
        }
        let chunks = try #require(FileManager.default.subpathsOfDirectory(atPath: dir.path).first { $0.hasSuffix("chunks/000001") })
        let url = dir.url.appendingPathComponent(chunks)
        let intact = try Data(contentsOf: url)
        var flipped = intact
        flipped[intact.count / 2] ^= 0x01
        try flipped.write(to: url)
        do {
            let entries = SharedValue<[RecordingLogHandler.Entry]>([])
            let db = try Database(directory: dir.url, options: options, logger: RecordingLogHandler.logger(into: entries))
            let problems = db.verifyBlocks()
            #expect(problems.count == 1 && problems.first?.problem.contains("fails its checksum") == true, "\(problems)")
            #expect(entries.value.contains { $0.level == .error && $0.message.hasPrefix("block damaged") })
            db.close()
        }
        try intact.prefix(intact.count - 10).write(to: url)
        let db = try Database(directory: dir.url, options: options, logger: StorageFixtures.logger)
        defer { db.close() }
        let problems = db.verifyBlocks()
        #expect(problems.count == 1 && problems.first?.problem.contains("runs past the end of the file") == true, "\(problems)")
    }
}
