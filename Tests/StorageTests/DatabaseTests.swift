import Foundation
import Logging
import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import Storage

@Suite struct DatabaseTests {
    let logger = Logger(label: "test")

    func batch(_ name: String, _ samples: [(Int64, Double)]) -> SeriesSamples {
        batch(name, [:], samples)
    }

    func batch(_ name: String, _ labels: [String: String], _ samples: [(Int64, Double)]) -> SeriesSamples {
        var all = labels
        all["__name__"] = name
        return SeriesSamples(labels: Labels(all), samples: samples.map { Sample(timestamp: $0.0, value: $0.1) })
    }

    @Test func appendAndSelectWithEveryMatcherType() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, logger: logger)
        _ = try db.append([
            batch("up", ["job": "api", "instance": "a"], [(1000, 1), (2000, 1)]),
            batch("up", ["job": "web", "instance": "b"], [(1000, 0)]),
            batch("up", ["job": "db"], [(1000, 1)]),
            batch("requests_total", ["job": "api"], [(1000, 5)]),
        ])
        func names(_ matchers: [LabelMatcher]) -> [String] {
            db.select(matchers, mint: 0, maxt: 10_000).map { "\($0.labels)" }
        }
        let up = try LabelMatcher(.equal, "__name__", "up")
        #expect(names([up, try LabelMatcher(.equal, "job", "api")]) == [#"up{instance="a", job="api"}"#])
        #expect(names([up, try LabelMatcher(.notEqual, "job", "api")]).count == 2)
        #expect(names([up, try LabelMatcher(.regexMatch, "job", "a.*|w.b")]).count == 2)
        #expect(names([up, try LabelMatcher(.regexNoMatch, "job", "api|web")]) == [#"up{job="db"}"#])
        // A matcher for the empty string selects series without the label.
        #expect(names([up, try LabelMatcher(.equal, "instance", "")]) == [#"up{job="db"}"#])
        #expect(names([try LabelMatcher(.regexMatch, "__name__", ".+")]).count == 4)
        #expect(db.select([up], mint: 1500, maxt: 10_000).map(\.samples.count) == [1])
        #expect(db.labelValues("job", matching: [], mint: .min, maxt: .max) == ["api", "db", "web"])
        #expect(db.labelNames(matching: [[try LabelMatcher(.equal, "job", "db")]], mint: .min, maxt: .max) == ["__name__", "job"])
    }

    @Test func outOfOrderAndConflictingSamplesAreRefusedWithoutLosingTheRest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, logger: logger)
        _ = try db.append([batch("x", [(1000, 1), (2000, 2)])])
        let result = try db.append([
            batch("x", [(1500, 9), (2000, 2), (2000, 3), (3000, 4)]),
            batch("y", [(10, 1)]),
        ])
        #expect(result.outOfOrder == 1)
        #expect(result.duplicates == 1)
        #expect(result.samplesAppended == 2)
        #expect(result.firstRejection?.contains("out of order sample") == true)
        let x = db.select([try LabelMatcher(.equal, "__name__", "x")], mint: .min, maxt: .max)
        #expect(x.first?.samples.map(\.value) == [1, 2, 4])
    }

    @Test func anyAgeIsAcceptedByAnEmptyStore() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var options = DatabaseOptions()
        options.futureWindow = nil
        let db = try Database(directory: dir.url, options: options, logger: logger)
        let result = try db.append([batch("old", [(-86_400_000 * 365, 1), (0, 2)]), batch("new", [(4_102_444_800_000, 3)])])
        #expect(result.samplesAppended == 3)
    }

    @Test func walReplayRestoresEverySampleAndStaleMarker() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var expected: [Labels: [Sample]] = [:]
        do {
            let db = try Database(directory: dir.url, logger: logger)
            for round in 0..<50 {
                var requests: [SeriesSamples] = []
                for s in 0..<20 {
                    let value = round == 49 && s == 0 ? StaleNaN.value : Double(round * s) + 0.25
                    let entry = batch("metric_\(s % 3)", ["series": "\(s)"], [(Int64(round) * 15_000, value)])
                    requests.append(entry)
                    expected[entry.labels, default: []].append(contentsOf: entry.samples)
                }
                _ = try db.append(requests)
            }
            // No close(): the process could die here.
        }
        let reopened = try Database(directory: dir.url, logger: logger)
        let all = reopened.select([try LabelMatcher(.regexMatch, "__name__", "metric_.*")], mint: .min, maxt: .max)
        #expect(all.count == 20)
        for series in all { #expect(series.samples == expected[series.labels]) }
        #expect(reopened.stats.samplesAppended == 1000)
        // Appends continue after a replay, with series references still consistent.
        _ = try reopened.append([batch("metric_0", ["series": "0"], [(1_000_000, 7)]), batch("fresh", [(1, 1)])])
        reopened.close()
        let third = try Database(directory: dir.url, logger: logger)
        #expect(third.stats.series == 21)
        #expect(third.stats.samplesAppended == 1002)
    }

    @Test func walReplayLogsProgressOneLinePerSegment() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let options = DatabaseOptions(walSegmentSize: 2048)
        do {
            let db = try Database(directory: dir.url, options: options, logger: logger)
            for round in 0..<40 {
                _ = try db.append((0..<10).map { batch("metric", ["series": "\($0)"], [(Int64(round) * 15_000, Double(round))]) })
            }
            db.close()
        }
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("wal").path)
            .compactMap { Int($0) }.sorted()
        try #require(segments.count >= 3)
        let entries = SharedValue<[RecordingLogHandler.Entry]>([])
        let reopened = try Database(directory: dir.url, options: options, logger: RecordingLogHandler.logger(into: entries))
        #expect(reopened.stats.samplesAppended == 400)
        let progress = entries.value.filter { $0.message == "WAL segment replayed" }
        #expect(progress.map { $0.metadata["segment"] } == segments.map { "\($0)" })
        #expect(progress.allSatisfy { $0.metadata["lastSegment"] == "\(segments.last!)" })
        let records = progress.compactMap { $0.metadata["records"].flatMap { Int($0) } }
        #expect(records == records.sorted() && records.count == segments.count)
        let done = try #require(entries.value.last { $0.message == "WAL replayed" })
        #expect(done.metadata["samples"] == "400" && done.metadata["records"] == "\(records.last!)")
    }

    @Test(arguments: [1, 5, 20])
    func tornTailIsTruncatedAndEarlierRecordsKept(cutBytes: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try Database(directory: dir.url, logger: logger)
            _ = try db.append([batch("kept", [(1, 1), (2, 2)])])
            _ = try db.append([batch("kept", [(3, 3)]), batch("torn", [(3, 3)])])
            db.close()
        }
        let segment = dir.url.appendingPathComponent("wal/00000000")
        let data = try Data(contentsOf: segment)
        try data.prefix(data.count - cutBytes).write(to: segment)
        let reopened = try Database(directory: dir.url, logger: logger)
        let kept = reopened.select([try LabelMatcher(.equal, "__name__", "kept")], mint: .min, maxt: .max)
        #expect(kept.first?.samples.map(\.value) == [1, 2])
        // The damaged tail was cut, so new records follow the last good one and survive a restart.
        _ = try reopened.append([batch("after", [(9, 9)])])
        reopened.close()
        let again = try Database(directory: dir.url, logger: logger)
        #expect(again.select([try LabelMatcher(.equal, "__name__", "after")], mint: .min, maxt: .max).count == 1)
    }

    @Test func corruptRecordInTheMiddleLosesOnlyItself() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try Database(directory: dir.url, logger: logger)
            for i in 0..<10 { _ = try db.append([batch("m", [(Int64(i), Double(i))])]) }
            db.close()
        }
        let segment = dir.url.appendingPathComponent("wal/00000000")
        var data = try Data(contentsOf: segment)
        data[data.count / 2] ^= 0xff
        try data.write(to: segment)
        let reopened = try Database(directory: dir.url, logger: logger)
        let values = reopened.select([try LabelMatcher(.equal, "__name__", "m")], mint: .min, maxt: .max).first?.samples.map(\.value) ?? []
        // One append's record is damaged: its sample is lost, every other one is kept, in order.
        #expect(values.count == 9, "\(values)")
        #expect(Set(values).isSubset(of: Set((0..<10).map(Double.init))) && values == values.sorted())
    }

    @Test func segmentsRotateAndReplayInOrder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try Database(directory: dir.url, options: DatabaseOptions(walSegmentSize: 1024), logger: logger)
            for i in 0..<200 { _ = try db.append([batch("r", ["i": "\(i % 7)"], [(Int64(i), Double(i))])]) }
            #expect(db.stats.walBytes > 1024)
        }
        let segments = try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("wal").path)
        #expect(segments.count > 1)
        let reopened = try Database(directory: dir.url, logger: logger)
        #expect(reopened.stats.samplesAppended == 200)
    }
}
