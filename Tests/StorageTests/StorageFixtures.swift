import SurgeTestKit
import Foundation
import Logging
import TimeSeriesCore
@testable import Storage

/// Deterministic workloads and helpers shared by the storage suites.
enum StorageFixtures {
    static let logger = Logger(label: "storage-test")

    static func labels(_ name: String, _ extra: [String: String] = [:]) -> Labels {
        var all = extra
        all["__name__"] = name
        return Labels(all)
    }

    /// `series` counters and gauges sampled every `step` ms from `start`, `count` samples each.
    static func workload(series: Int, start: Int64, step: Int64, count: Int, seed: UInt64 = 42) -> [SeriesSamples] {
        var rng = SplitMix(seed: seed)
        return (0..<series).map { s in
            let labels = labels(s % 2 == 0 ? "requests_total" : "memory_bytes",
                                ["pod": "pod-\(s)", "namespace": "ns-\(s % 3)"])
            var value = Double(rng.next() % 1000)
            let samples = (0..<count).map { i -> Sample in
                value += s % 2 == 0 ? Double(rng.next() % 100) : Double(Int(rng.next() % 200) - 100) / 7
                return Sample(timestamp: start + Int64(i) * step, value: value)
            }
            return SeriesSamples(labels: labels, samples: samples)
        }
    }

    /// Appends a workload in time order, one scrape at a time, as a remote-write client would.
    static func ingest(_ workload: [SeriesSamples], into db: Database) throws {
        let rounds = workload.map(\.samples.count).max() ?? 0
        for i in 0..<rounds {
            let batch = workload.compactMap { entry in
                i < entry.samples.count ? SeriesSamples(labels: entry.labels, samples: [entry.samples[i]]) : nil
            }
            _ = try db.append(batch)
        }
    }

    static func everything(_ db: Database, mint: Int64 = .min, maxt: Int64 = .max) throws -> [Series] {
        db.select([try LabelMatcher(.regexMatch, "__name__", ".+")], mint: mint, maxt: maxt).sorted { $0.labels < $1.labels }
    }
}


