import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
@testable import Storage

/// `/api/v1/status/tsdb`'s figures, read from the head's postings.
@Suite struct TSDBStatusTests {
    let start: Int64 = 1_700_006_400_000  // a multiple of the 2 h block range

    @Test func headFiguresAndRankingsComeFromThePostings() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, logger: StorageFixtures.logger)
        #expect(db.tsdbStatus(limit: 10) == TSDBStatus(), "an empty head")
        #expect(TSDBStatus().minTime == .max && TSDBStatus().maxTime == .min)

        // Six series: requests_total on pods 0, 2, 4; memory_bytes on 1, 3, 5; namespaces ns-(pod % 3).
        try StorageFixtures.ingest(StorageFixtures.workload(series: 6, start: start, step: 15_000, count: 250), into: db)
        let status = db.tsdbStatus(limit: 10)
        #expect(status.numSeries == 6)
        #expect(status.numLabelPairs == 2 + 6 + 3)
        #expect(status.chunkCount == 6 * 3, "250 samples a series make chunks of 120, 120 and 10")
        #expect(status.minTime == start)
        #expect(status.maxTime == start + 249 * 15_000)
        #expect(status.seriesCountByMetricName == [.init("memory_bytes", 3), .init("requests_total", 3)])
        #expect(status.labelValueCountByLabelName == [.init("pod", 6), .init("namespace", 3), .init("__name__", 2)])
        #expect(status.memoryInBytesByLabelName == [.init("pod", 6 * 5), .init("__name__", 12 + 14), .init("namespace", 3 * 4)])
        #expect(status.seriesCountByLabelValuePair == [
            .init("__name__=memory_bytes", 3), .init("__name__=requests_total", 3),
            .init("namespace=ns-0", 2), .init("namespace=ns-1", 2), .init("namespace=ns-2", 2),
            .init("pod=pod-0", 1), .init("pod=pod-1", 1), .init("pod=pod-2", 1), .init("pod=pod-3", 1), .init("pod=pod-4", 1),
        ])

        let short = db.tsdbStatus(limit: 2)
        #expect(short.seriesCountByLabelValuePair == [.init("__name__=memory_bytes", 3), .init("__name__=requests_total", 3)])
        #expect(short.labelValueCountByLabelName == [.init("pod", 6), .init("namespace", 3)])
        #expect(short.numLabelPairs == status.numLabelPairs, "the limit shortens the rankings only")

        // Persisting the head empties it; the figures follow.
        _ = try db.persistAll()
        let persisted = db.tsdbStatus(limit: 10)
        #expect(persisted.numSeries == 0 && persisted.chunkCount == 0 && persisted.seriesCountByMetricName.isEmpty)
        #expect(persisted.minTime == .max)
    }

    @Test func topCountsKeepsWhatAFullSortWouldPutFirst() {
        var (rng, seed) = SplitMix.forTest("topCountsKeepsWhatAFullSortWouldPutFirst", defaultSeed: 97)
        for limit in [1, 3, 10, 50] {
            var top = TopCounts(limit: limit)
            var all: [TSDBStatus.Entry] = []
            for index in 0..<500 {
                let entry = TSDBStatus.Entry("name-\(index % 97)-\(index)", Int.random(in: 0..<40, using: &rng))
                all.append(entry)
                top.offer(entry.name, entry.value)
            }
            let expected = Array(all.sorted { $0.value != $1.value ? $0.value > $1.value : $0.name < $1.name }.prefix(limit))
            #expect(top.ranked == expected, "limit \(limit), seed \(seed)")
            #expect(!top.admits((expected.last?.value ?? 0) - 1))
            #expect(top.admits(expected.last?.value ?? 0))
        }
    }
}
