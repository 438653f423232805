import SurgeTestKit
import TimeSeriesCore
import Testing
@testable import PromQL

/// Mangled queries are refused or answered, never trapped on: parsed, then evaluated at an instant
/// and over a range, with a deadline and a samples limit as the server sets them.
@Suite struct MangledQueryTests {
    static let queries = [
        #"sum by (job) (rate(http_requests_total{job=~"a|b", code!="500"}[5m] offset 1m))"#,
        "histogram_quantile(0.9, sum by (le) (rate(latency_bucket[5m])))",
        "topk(3, max_over_time(load[10m:30s])) / on(pod) group_left(node) kube_pod_info",
        "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\") and on() vector(1)",
        "predict_linear(load[30m], 3600) > bool 100 or absent(load)",
        "count_values(\"v\", round(load, 0.5)) unless quantile(0.5, load) * -2 ^ 3",
        "clamp(delta(load[1h] @ 600), -1, 1) + scalar(sum(up)) % 7",
        "holt_winters(load[20m], 0.5, 0.5) - deriv(load[5m]) atan2 load",
        "sort_desc(avg without (pod) (irate(http_requests_total[2m])))",
        "year(timestamp(load)) + day_of_week() + days_in_month(vector(1e300))",
        "sum_over_time(rate(load[5m])[30m:1m]) / count_over_time(load[30m] offset -5m)",
        "stddev by (job) (load) == bool stdvar(load) != 1e-3",
    ]

    static let series: [Series] = (0..<6).map { s in
        let name = s < 3 ? "load" : "http_requests_total"
        let labels = Labels(["__name__": name, "job": s % 2 == 0 ? "a" : "b", "pod": "p\(s)", "instance": "h\(s):80",
                             "le": "\(s)", "code": "200"])
        let samples = (0..<120).map { (i: Int) -> Sample in
            let value: Double = s == 5 && i % 7 == 0 ? .nan : Double(i * (s + 1))
            return Sample(timestamp: Int64(i) * 15_000, value: value)
        }
        return Series(labels: labels, samples: samples)
    }

    static func mangle(_ query: String, _ rng: inout some RandomNumberGenerator) -> String {
        var characters = Array(query)
        let pieces: [Character] = Array("()[]{}:,.\"'=~!<>+-*/^%@ 0123456789eEmshdwyby_aZ\\")
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let at = Int.random(in: 0..<characters.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: characters[at] = pieces.randomElement(using: &rng)!
            case 1: if characters.count > 1 { characters.remove(at: at) }
            default: characters.insert(pieces.randomElement(using: &rng)!, at: at)
            }
        }
        return String(characters)
    }

    @Test func mangledQueriesNeverTrap() {
        var (rng, seed) = SplitMix.forTest("mangledQueriesNeverTrap", defaultSeed: 20261207)
        var engine = Engine(querier: FixedQuerier(all: Self.series), maxSamples: 200_000, timeout: .milliseconds(500))
        engine.defaultSubqueryStep = 60_000
        var parsed = 0, answered = 0
        for _ in 0..<3_000 {
            let query = Self.mangle(Self.queries.randomElement(using: &rng)!, &rng)
            guard let expression = try? Parser.parse(query) else { continue }
            parsed += 1
            if (try? engine.instant(expression, at: 1_200_000)) != nil { answered += 1 }
            _ = try? engine.range(expression, start: 0, end: 1_800_000, step: 30_000)
        }
        #expect(parsed > 100 && answered > 50, "the mangling must leave many queries valid: \(parsed) parsed, \(answered) answered (seed \(seed))")
    }
}
