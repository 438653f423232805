import Foundation
import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import Storage

/// A full disk: head chunk files, the WAL and block writes fail part-way, as a filesystem does
/// when its last blocks fill. Everything acknowledged stays queryable during and after, through a
/// restart; the episode is counted and flagged.
@Suite(.serialized) struct DiskFullTests {
    static func options() -> DatabaseOptions {
        var options = DatabaseOptions()
        options.futureWindow = nil
        options.retentionTime = nil
        return options
    }

    @Test func acknowledgedSamplesStayQueryableThroughAFullDisk() throws {
        let dir = try TemporaryDirectory()
        let referenceDir = try TemporaryDirectory()
        defer { dir.remove(); referenceDir.remove() }
        let db = try Database(directory: dir.url, options: Self.options(), logger: StorageFixtures.logger)
        let reference = try Database(directory: referenceDir.url, options: Self.options(), logger: StorageFixtures.logger)
        let step: Int64 = 15_000
        func phase(_ first: Int, _ count: Int) -> [SeriesSamples] {
            StorageFixtures.workload(series: 40, start: 0, step: step, count: first + count).map {
                SeriesSamples(labels: $0.labels, samples: Array($0.samples[first...]))
            }
        }
        func both(_ workload: [SeriesSamples]) throws {
            try StorageFixtures.ingest(workload, into: db)
            try StorageFixtures.ingest(workload, into: reference)
        }
        try both(phase(0, 100))

        // Head chunk files cannot be written: chunks being cut stay in memory.
        let chunksHead = dir.url.appendingPathComponent("chunks_head").path
        DiskFaults.setFull(chunksHead, true)
        defer { DiskFaults.setFull(chunksHead, false) }
        try both(phase(100, 400))
        #expect(db.stats.diskFull)
        #expect(db.stats.writeFailures["head_chunks", default: 0] > 0)
        #expect(try StorageFixtures.everything(db) == (try StorageFixtures.everything(reference)))

        // Space comes back: the kept chunks are written, and every reference reads what it names.
        DiskFaults.setFull(chunksHead, false)
        try both(phase(500, 300))
        #expect(!db.stats.diskFull)
        #expect(try StorageFixtures.everything(db) == (try StorageFixtures.everything(reference)))

        // The whole data directory is full: writes are refused (never acknowledged), block writes fail
        // and leave the head as it was, and nothing already acknowledged is lost.
        DiskFaults.setFull(dir.path, true)
        defer { DiskFaults.setFull(dir.path, false) }
        let refused = phase(800, 1)
        #expect(throws: WALError.self) { _ = try db.append(refused) }
        #expect(db.stats.diskFull)
        #expect(throws: StorageIOError.self) { try db.persistAll() }
        #expect(db.blocks.isEmpty)
        #expect(db.stats.writeFailures["blocks", default: 0] == 1)
        #expect(try StorageFixtures.everything(db) == (try StorageFixtures.everything(reference)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.hasSuffix(".tmp") })

        DiskFaults.setFull(dir.path, false)
        try both(phase(801, 100))
        try db.persistAll()
        #expect(db.blocks.count == 1)
        #expect(try StorageFixtures.everything(db) == (try StorageFixtures.everything(reference)))
        db.close()
        let reopened = try Database(directory: dir.url, options: Self.options(), logger: StorageFixtures.logger)
        #expect(try StorageFixtures.everything(reopened) == (try StorageFixtures.everything(reference)))
    }
}
