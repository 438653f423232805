import Foundation
import SurgeTestKit
import Testing
import TimeSeriesCore
@testable import Storage

/// Series, labels-per-series and label length limits: a new series breaking one is refused with a
/// message naming the limit; what the head already holds keeps taking samples.
@Suite struct StorageLimitsTests {
    func options() -> DatabaseOptions {
        var options = DatabaseOptions()
        options.limits.maxSeries = 3
        options.limits.maxLabelsPerSeries = 3
        options.limits.maxLabelNameLength = 8
        options.limits.maxLabelValueLength = 10
        return options
    }

    func one(_ labels: [String: String], at t: Int64, _ v: Double = 1) -> SeriesSamples {
        SeriesSamples(labels: Labels(labels), samples: [Sample(timestamp: t, value: v)])
    }

    @Test func eachLimitRefusesOnlyTheSeriesBreakingIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Database(directory: dir.url, options: options(), logger: StorageFixtures.logger)
        let first = try db.append([
            one(["__name__": "up", "pod": "a"], at: 1_000),
            one(["__name__": "up", "pod": "b"], at: 1_000),
            one(["__name__": "up", "pod": "c", "zone": "z1"], at: 1_000),  // three labels: at the limit
        ])
        #expect(first.samplesAppended == 3 && first.rejections.isEmpty)

        let refused = try db.append([
            one(["__name__": "up", "pod": "a"], at: 2_000, 2),                           // known: stored
            one(["__name__": "up", "pod": "d"], at: 2_000),                              // a fourth series
            one(["__name__": "up", "pod": "e", "zone": "z", "rack": "r"], at: 2_000),    // four labels
            one(["__name__": "up", "pod_name_x": "f"], at: 2_000),                       // a 10-byte name
            one(["__name__": "up", "pod": "abcdefghijk"], at: 2_000),                    // an 11-byte value
        ])
        #expect(refused.samplesAppended == 1)
        #expect(refused.rejections == [.seriesLimit: 1, .labelsPerSeriesLimit: 1, .labelNameLengthLimit: 1, .labelValueLengthLimit: 1])
        #expect(refused.firstRejection?.contains("max_series is 3") == true, "\(refused.firstRejection ?? "")")
        #expect(db.stats.series == 3)
        #expect(db.stats.rejected == refused.rejections)

        let messages = [
            try db.append([one(["__name__": "up", "pod": "e", "zone": "z", "rack": "r"], at: 3_000)]).firstRejection,
            try db.append([one(["__name__": "up", "pod_name_x": "f"], at: 3_000)]).firstRejection,
            try db.append([one(["__name__": "up", "pod": "abcdefghijk"], at: 3_000)]).firstRejection,
        ]
        #expect(messages[0]?.contains("more than max_labels_per_series (3)") == true, "\(messages)")
        #expect(messages[1]?.contains("exceeds max_label_name_length (8)") == true, "\(messages)")
        #expect(messages[2]?.contains("max_label_value_length (10)") == true, "\(messages)")

        let stored = db.select([try LabelMatcher(.equal, "__name__", "up")], mint: 0, maxt: 10_000)
        #expect(stored.map { $0.labels["pod"] ?? "" }.sorted() == ["a", "b", "c"])
        #expect(stored.first { $0.labels["pod"] == "a" }?.samples.map(\.value) == [1, 2])
    }
}
