import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
@testable import Storage

/// Agent mode: samples go to the write-ahead log only; segments go once every forwarder has read
/// past them, replaced by a checkpoint of the series' labels.
@Suite struct AgentStorageTests {
    static func open(_ dir: TemporaryDirectory) throws -> Database {
        var options = DatabaseOptions(walSync: .never, walSegmentSize: 64 << 10)
        options.agent = true
        return try Database(directory: dir.url, options: options, clock: ManualClock(now: 100_000_000), logger: StorageFixtures.logger)
    }

    @Test func samplesReachTheLogAndNothingElse() throws {
        let dir = try TemporaryDirectory(prefix: "surge-agent-storage")
        defer { dir.remove() }
        let db = try Self.open(dir)
        let workload = StorageFixtures.workload(series: 20, start: 1_000_000, step: 15_000, count: 200)
        try StorageFixtures.ingest(workload, into: db)
        #expect(try StorageFixtures.everything(db).allSatisfy(\.samples.isEmpty), "nothing is queryable")
        #expect(db.stats.series == 20)
        // Repeats with another value are refused as before; older samples go to the log for forwarding.
        let first = workload[0]
        let again = try db.append([SeriesSamples(labels: first.labels, samples: [Sample(timestamp: first.samples.last!.timestamp, value: -1)])])
        #expect(again.samplesAppended == 0)
        var tail = WALTail(directory: dir.url.appendingPathComponent("wal"))
        var read: [WALTail.Sample] = []
        while case let more = try tail.read(maxBytes: 1 << 20), !more.isEmpty { read += more }
        #expect(read.count == 20 * 200)
        #expect(read.filter { $0.labels == first.labels }.map(\.timestamp) == first.samples.map(\.timestamp), "in order, each once")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains("chunks_head") == false
                || (try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("chunks_head").path)).allSatisfy { (try? FileManager.default.attributesOfItem(atPath: dir.url.appendingPathComponent("chunks_head/\($0)").path)[.size] as? Int) ?? 0 == 0 })
        db.close()
    }

    @Test func segmentsGoOnceReadAndTheCheckpointKeepsTheSeries() throws {
        let dir = try TemporaryDirectory(prefix: "surge-agent-truncate")
        defer { dir.remove() }
        let db = try Self.open(dir)
        let wal = dir.url.appendingPathComponent("wal")
        try StorageFixtures.ingest(StorageFixtures.workload(series: 20, start: 1_000_000, step: 15_000, count: 1000), into: db)
        let segments = { try FileManager.default.contentsOfDirectory(atPath: wal.path).filter { $0.count == 8 }.compactMap(Int.init).sorted() }
        let before = try segments()
        #expect(before.count >= 3, "\(before)")
        // A forwarder still at the second segment holds it and everything after.
        try db.truncateForwardedLog(hold: before[1])
        #expect(try segments() == Array(before.dropFirst()))
        #expect(try FileManager.default.contentsOfDirectory(atPath: wal.path).contains(String(format: "checkpoint.%08d", before[0])))
        // A reader starting now learns the series from the checkpoint and reads the rest.
        var fresh = WALTail(directory: wal)
        var read: [WALTail.Sample] = []
        while case let more = try fresh.read(maxBytes: 1 << 20), !more.isEmpty { read += more }
        #expect(!read.isEmpty && Set(read.map(\.labels)).count == 20, "every sample keeps its labels")
        // Holding the segment being written removes every closed one; idle series are forgotten.
        let current = try segments().last!
        let report = try db.truncateForwardedLog(hold: .max, idleAfter: 0)
        #expect(try segments() == [current])
        #expect(report.seriesRemoved == 0, "every series had a sample at the newest time")
        // Only one series goes on, long enough to fill another segment: the others, idle for more
        // than a minute before its newest sample, are forgotten at the next truncation.
        let late = SeriesSamples(labels: StorageFixtures.labels("late"), samples: (0..<20_000).map { Sample(timestamp: 16_000_000 + Int64($0) * 100, value: Double($0)) })
        for part in stride(from: 0, to: late.samples.count, by: 500) {
            _ = try db.append([SeriesSamples(labels: late.labels, samples: Array(late.samples[part..<part + 500]))])
        }
        #expect(try segments().count >= 2)
        let idle = try db.truncateForwardedLog(hold: .max, idleAfter: 60_000)
        #expect(idle.seriesRemoved == 20)
        #expect(db.stats.series == 1)
        db.close()
        // Replay after a restart: the series come back from the checkpoint and the segment left.
        let reopened = try Self.open(dir)
        // The checkpoint was written before the idle series were forgotten (a resuming forwarder may
        // still need their labels), so replay knows them until the next truncation.
        #expect(reopened.stats.series == 21)
        reopened.close()
    }
}
