import Foundation
import TimeSeriesCore
import WireFormat

/// The data both Surge and Prometheus receive for the differential test: one hour of samples every
/// 30 s from a fixed start, deterministic, with counters (one reset), gauges (negative and fractional),
/// classic histograms, a series that goes stale and comes back, NaN and ±Inf values, a sparse series
/// and a gauge holding timestamps for the date functions.
enum DifferentialData {
    /// 2026-01-01T00:00:00Z, in seconds.
    static let start: Int64 = 1_767_225_600
    static let interval: Int64 = 30
    static let points = 121
    static var end: Int64 { start + interval * Int64(points - 1) }

    struct Series {
        var labels: [String: String]
        /// Value at point `index`, or nil when the series has no sample there.
        var value: (Int) -> Double?
    }

    /// A small deterministic generator so the data does not depend on the platform's random numbers.
    struct Noise {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
    }

    static func cumulative(seed: UInt64, scale: Double, resetAt: Int? = nil) -> [Double] {
        var noise = Noise(state: seed)
        var total = 0.0
        return (0..<points).map { index in
            if index == resetAt { total = 0 }
            total += (noise.next() * scale).rounded()
            return total
        }
    }

    static var series: [Series] {
        var all: [Series] = []
        var seed: UInt64 = 1
        for instance in ["a:80", "b:80", "c:80"] {
            for method in ["get", "post"] {
                for code in ["200", "500"] {
                    seed += 1
                    let scale = code == "200" ? 40.0 : 3.0
                    let values = cumulative(seed: seed, scale: scale, resetAt: instance == "b:80" && method == "get" && code == "200" ? 70 : nil)
                    all.append(Series(labels: ["__name__": "http_requests_total", "job": "api", "instance": instance,
                                               "method": method, "code": code]) { values[$0] })
                }
            }
        }
        for (offset, instance) in ["a:80", "b:80", "c:80"].enumerated() {
            var noise = Noise(state: UInt64(100 + offset))
            let values = (0..<points).map { index in
                1e9 * Double(offset + 1) + 2e8 * sin(Double(index) / 9) + (noise.next() * 1e7).rounded()
            }
            all.append(Series(labels: ["__name__": "node_memory_bytes", "job": "node", "instance": instance]) { values[$0] })
        }
        for (offset, room) in ["r1", "r2", "r3"].enumerated() {
            var noise = Noise(state: UInt64(200 + offset))
            let values = (0..<points).map { index in
                ((Double(offset) * 8 - 6 + 12 * cos(Double(index) / 13) + noise.next() * 3) * 100).rounded() / 100
            }
            all.append(Series(labels: ["__name__": "temperature_celsius", "room": room, "floor": offset < 2 ? "1" : "2"]) { values[$0] })
        }
        let bounds = ["0.1", "0.5", "1", "5", "+Inf"]
        for (jobIndex, job) in ["api", "web"].enumerated() {
            var noise = Noise(state: UInt64(300 + jobIndex))
            var buckets = [Double](repeating: 0, count: bounds.count)
            var sum = 0.0
            var rows: [[Double]] = []
            var sums: [Double] = []
            for _ in 0..<points {
                let observations = 20 + Int(noise.next() * 30)
                for _ in 0..<observations {
                    let latency = pow(noise.next(), 2) * (jobIndex == 0 ? 3 : 8)
                    sum += latency
                    for (b, bound) in bounds.enumerated() where bound == "+Inf" || latency <= Double(bound)! { buckets[b] += 1 }
                }
                rows.append(buckets)
                sums.append((sum * 1000).rounded() / 1000)
            }
            for (b, bound) in bounds.enumerated() {
                all.append(Series(labels: ["__name__": "request_duration_seconds_bucket", "job": job, "le": bound]) { rows[$0][b] })
            }
            all.append(Series(labels: ["__name__": "request_duration_seconds_count", "job": job]) { rows[$0][bounds.count - 1] })
            all.append(Series(labels: ["__name__": "request_duration_seconds_sum", "job": job]) { sums[$0] })
        }
        // Goes stale at point 40 and comes back at point 80.
        all.append(Series(labels: ["__name__": "flaky_gauge", "instance": "x"]) { index in
            if index == 40 { return StaleNaN.value }
            if index > 40 && index < 80 { return nil }
            return Double(index % 7) - 2.5
        })
        all.append(Series(labels: ["__name__": "flaky_gauge", "instance": "y"]) { Double($0 % 5) })
        all.append(Series(labels: ["__name__": "weird_values", "kind": "nan"]) { $0 % 10 == 3 ? .nan : Double($0) })
        all.append(Series(labels: ["__name__": "weird_values", "kind": "inf"]) { $0 % 20 == 7 ? .infinity : 1 })
        all.append(Series(labels: ["__name__": "weird_values", "kind": "neginf"]) { $0 % 25 == 11 ? -.infinity : -1 })
        all.append(Series(labels: ["__name__": "weird_values", "kind": "zero"]) { $0 % 2 == 0 ? 0 : -0.0 })
        for (version, instance) in [("1.2.3", "a:80"), ("1.3.0", "b:80"), ("2.0.1-rc.1", "c:80")] {
            all.append(Series(labels: ["__name__": "build_info", "version": version, "instance": instance, "job": "api"]) { _ in 1 })
        }
        // One sample every 10 minutes: longer gaps than the 5-minute lookback.
        all.append(Series(labels: ["__name__": "sparse_gauge", "instance": "a:80"]) { $0 % 20 == 0 ? Double($0 / 20) : nil })
        // Timestamps spread over months, hours and weekdays for the date functions.
        all.append(Series(labels: ["__name__": "timestamp_gauge"]) { index in
            Double(start + Int64(index) * 86_400 * 3 + Int64(index) * 3_671)
        })
        all.append(Series(labels: ["__name__": "ratio", "instance": "a:80"]) { Double($0 % 11) / 10 - 0.5 })
        // A recording rule's output: the same labels as `ratio` but for the name, which starts with a colon.
        all.append(Series(labels: ["__name__": ":job:ratio:avg", "instance": "a:80"]) { Double($0 % 13) / 10 })
        return all
    }

    /// Remote-write bodies in time order: each request carries every series' samples for 10 points.
    static func requests() -> [[RemoteWriteEncoder.WireSeries]] {
        let all = series
        return stride(from: 0, to: points, by: 10).map { first in
            all.compactMap { series in
                let samples = (first..<min(first + 10, points)).compactMap { index in
                    series.value(index).map { Sample(timestamp: (start + Int64(index) * interval) * 1000, value: $0) }
                }
                return samples.isEmpty ? nil : RemoteWriteEncoder.WireSeries(labels: Labels(series.labels).pairs, samples: samples)
            }
        }
    }
}
