import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SurgeTestKit
import Testing
import TimeSeriesCore

/// Client-supplied times, steps, offsets, `@` times, ranges and durations at the edges of what can
/// be written: every request is answered (200, 400, 422 or 503) and none traps on arithmetic.
@Suite struct ExtremeTimesFuzzTests {
    static let times = ["-9e15", "9e15", "-9.2e15", "9.2e15", "0", "1e9", "-1", "1.7e9", "9223372036854775", "-9223372036854775",
                        "2262-04-11T23:47:16Z", "1677-09-21T00:12:44Z", "0.001", "1e-9"]
    static let steps = ["1e15", "1e-3", "0.001", "1", "15", "1e9", "9e15", "1y", "292y", "1ms"]
    static let queries = [
        "vector(1)", "up", "rate(up[5m])", "up offset 292y", "up offset -292y", "up @ 9e15", "up @ -9e15",
        "rate(up[292y])", "max_over_time(up[100y:1y])", "max_over_time(vector(1)[5m:1ms])", "up[1ms] @ 9e15 offset -292y",
        "timestamp(up @ 9e15)", "time()", "sum_over_time(up[292y] offset 292y)", "deriv(up[1y] @ -9e15)",
        "predict_linear(up[5m], 9e15)", "holt_winters(up[292y], 0.5, 0.5)", "absent_over_time(nothing[292y])",
    ]

    @Test func everyCombinationIsAnswered() async throws {
        var (rng, seed) = SplitMix.forTest("extreme times", defaultSeed: 292)
        var cases: [String] = []
        for _ in 0..<400 {
            let query = TestHTTP.urlEncode(Self.queries.randomElement(using: &rng)!)
            let (start, end) = (Self.times.randomElement(using: &rng)!, Self.times.randomElement(using: &rng)!)
            let step = Self.steps.randomElement(using: &rng)!
            if Bool.random(using: &rng) {
                cases.append("/api/v1/query?query=\(query)&time=\(start)&timeout=\(["1s", "292y", "1e15", "1ms"].randomElement(using: &rng)!)")
            } else {
                cases.append("/api/v1/query_range?query=\(query)&start=\(start)&end=\(end)&step=\(step)")
            }
        }
        cases += ["/api/v1/query_range?query=vector(1)&start=-9e15&end=9e15&step=1e15",
                  "/api/v1/query_range?query=vector(1)&start=-9.2e15&end=9.2e15&step=1",
                  "/api/v1/series?match[]=up&start=-9.2e15&end=9.2e15",
                  "/api/v1/labels?start=9e15&end=-9e15",
                  "/api/v1/query_exemplars?query=up&start=-9.2e15&end=9.2e15"]
        let (requests, replay) = (cases, seed)
        let answered = try await withSurge { client in
            try await client.write([series(["__name__": "up", "job": "api"], [(1_700_000_000_000, 1), (1_700_000_015_000, 2)])])
            var statuses: [Int: Int] = [:]
            for uri in requests {
                let response = try await client.get(uri)
                #expect([200, 400, 422, 503].contains(response.status.code), "\(uri): \(response.status) (seed \(replay))")
                statuses[response.status.code, default: 0] += 1
            }
            return statuses
        }
        print("extreme times: \(cases.count) requests answered \(answered.sorted { $0.key < $1.key })")
        #expect(answered.values.reduce(0, +) == cases.count)
        #expect(answered[200, default: 0] > 20 && answered[400, default: 0] > 20, "\(answered)")
    }
}
