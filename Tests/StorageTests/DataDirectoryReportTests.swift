import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
@testable import Storage

/// `surge tsdb inspect`'s figures, read from the files of a data directory.
@Suite struct DataDirectoryReportTests {
    let start: Int64 = 1_700_006_400_000  // a multiple of the 2 h block range

    @Test func blocksHeadAndRankings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try Database(directory: dir.url, logger: StorageFixtures.logger)
            // Six series: requests_total on pods 0, 2, 4; memory_bytes on 1, 3, 5; namespaces ns-(pod % 3).
            try StorageFixtures.ingest(StorageFixtures.workload(series: 6, start: start, step: 15_000, count: 250), into: db)
            _ = try db.persistAll()
            // Two more series, in the head only.
            let later = start + 250 * 15_000
            _ = try db.append([
                SeriesSamples(labels: StorageFixtures.labels("up", ["pod": "pod-0", "namespace": "ns-0"]),
                              samples: [Sample(timestamp: later, value: 1), Sample(timestamp: later + 15_000, value: 1)]),
                SeriesSamples(labels: StorageFixtures.labels("up", ["pod": "pod-9", "namespace": "ns-0"]),
                              samples: [Sample(timestamp: later, value: 0)]),
            ])
            db.close()
        }
        let report = try DataDirectoryReport.read(dir.url, limit: 3)
        #expect(report.blocks.map(\.meta.stats.numSeries) == [6])
        #expect(report.blockSamples == 6 * 250)
        #expect(report.blocks[0].bytesPerSample > 0 && report.blocks[0].bytesPerSample < 16)
        #expect(report.head.series == 2 && report.head.samples == 3)
        #expect(report.head.minTime == start + 250 * 15_000 && report.head.maxTime == start + 251 * 15_000)
        #expect(report.head.checkpoint == 0, "persisting the head checkpoints the WAL")
        #expect(report.head.damagedBytes == 0)
        #expect(report.totalSeries == 8, "series of blocks and head, each counted once")

        func entries(_ list: [(name: String, count: Int)]) -> [String] { list.map { "\($0.count) \($0.name)" } }
        #expect(entries(report.seriesPerMetric) == ["3 memory_bytes", "3 requests_total", "2 up"])
        #expect(entries(report.valuesPerLabel) == ["7 pod", "3 __name__", "3 namespace"])
        #expect(entries(report.seriesPerLabel) == ["8 __name__", "8 namespace", "8 pod"])
        #expect(entries(report.seriesPerPair) == ["4 namespace=ns-0", "3 __name__=memory_bytes", "3 __name__=requests_total"])
        #expect(entries(report.valueBytesPerLabel) == ["35 pod", "28 __name__", "12 namespace"], "pod-0…pod-5, pod-9; 12 + 14 + 2")
    }

    @Test func aMissingDirectoryOrABadLimitIsRefused() throws {
        #expect(throws: InspectError.self) { try DataDirectoryReport.read(URL(fileURLWithPath: "/nonexistent/surge-data")) }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: InspectError.self) { try DataDirectoryReport.read(dir.url, limit: 0) }
        let empty = try DataDirectoryReport.read(dir.url)
        #expect(empty.blocks.isEmpty && empty.totalSeries == 0 && empty.seriesPerMetric.isEmpty)
    }
}
