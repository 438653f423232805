import Benchmark
import Foundation
import Logging
import PromQL
import Storage
import TimeSeriesCore

/// `sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))` at one instant over 100,000
/// series of 15 s samples: 2.1 million samples in the windows (4.1 million for [10m]). The malloc
/// count shows whether the evaluation allocates per sample (it would grow with the window) or only
/// per series.
/// Run with `swift package --package-path Benchmarks benchmark --target QueryBenchmarks`.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
                                           maxDuration: .seconds(10), maxIterations: 20)
    let seriesCount = 100_000
    let end: Int64 = 1_790_000_000_000
    let query = try! Parser.parse("sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))")
    let longerWindow = try! Parser.parse("sum by (namespace) (rate(container_cpu_usage_seconds_total[10m]))")
    func labels(_ i: Int) -> Labels {
        Labels(["__name__": "container_cpu_usage_seconds_total", "namespace": "ns-\(i % 50)", "pod": "pod-\(i)", "container": "app"])
    }
    // 21 samples in [end - 5m, end], 41 in [end - 10m, end], plus the five before that.
    let times = (0..<46).map { end - Int64(45 - $0) * 15_000 }
    func samples(_ i: Int) -> [Sample] {
        times.enumerated().map { Sample(timestamp: $0.element, value: Double($0.offset) * Double(1 + i % 7) * 0.25) }
    }

    let memory = InMemoryQuerier(series: (0..<seriesCount).map { Series(labels: labels($0), samples: samples($0)) })
    let overMemory = Engine(querier: memory)
    Benchmark("instant sum by (namespace) (rate[5m]), 100k series in memory") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try overMemory.instant(query, at: end))
        }
    }

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("surge-query-bench-\(getpid())")
    let database = try! Database(directory: directory, logger: Logger(label: "bench"))
    for (step, t) in times.enumerated() {
        var batch = WriteBatch(reservingSeries: seriesCount, samples: seriesCount, bytes: seriesCount * 120)
        for i in 0..<seriesCount {
            for label in labels(i).pairs { batch.appendLabel(name: label.name, value: label.value) }
            batch.appendSample(Sample(timestamp: t, value: Double(step) * Double(1 + i % 7) * 0.25))
            batch.endSeries()
        }
        _ = try! database.append(batch)
    }
    // Twice the samples per series: if the evaluation allocated per sample, the malloc count would grow.
    Benchmark("instant sum by (namespace) (rate[10m]), 100k series in memory") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try overMemory.instant(longerWindow, at: end))
        }
    }

    let overHead = Engine(querier: database)
    Benchmark("instant sum by (namespace) (rate[5m]), 100k series in the head") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try overHead.instant(query, at: end))
        }
    } teardown: {
        database.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Series held in memory, for timing the engine without storage.
struct InMemoryQuerier: SeriesQuerier {
    let all: [Series]

    init(series: [Series]) { all = series }

    func select(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Series] {
        all.compactMap { series in
            guard matchers.allSatisfy({ $0.matches(series.labels[$0.name] ?? "") }) else { return nil }
            let low = series.samples.firstIndex { $0.timestamp >= mint } ?? series.samples.count
            let high = series.samples.lastIndex { $0.timestamp <= maxt }.map { $0 + 1 } ?? 0
            return low < high ? Series(labels: series.labels, samples: Array(series.samples[low..<high])) : nil
        }
    }

    func series(_ matchers: [LabelMatcher], mint: Timestamp, maxt: Timestamp) -> [Labels] {
        select(matchers, mint: mint, maxt: maxt).map(\.labels)
    }

    func labelNames(matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] { [] }

    func labelValues(_ name: String, matching: [[LabelMatcher]], mint: Timestamp, maxt: Timestamp) -> [String] { [] }
}
