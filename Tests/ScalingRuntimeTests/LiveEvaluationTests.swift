import Foundation
import Logging
import PromQL
import Scaling
import ScalingRuntime
import Storage
import SurgeTestKit
import Testing
import TimeSeriesCore

/// A live policy over Surge's own storage: the forecast learns its history with a range query, so a
/// daily peak raises the floor from the first decision; without that history it is still learning.
@Suite struct LiveEvaluationTests {
    static let day = 86_400.0

    /// Two pods sharing a demand of 1000 + 800 sin(2 pi t / day) requests per second, every 5 minutes
    /// for three days before `now` (a day boundary, where the demand rises through 1000).
    static func database(now: Date, in dir: TemporaryDirectory) throws -> Database {
        let database = try Database(directory: dir.url, logger: Logger(label: "test"))
        var series: [SeriesSamples] = []
        for pod in ["web-1", "web-2"] {
            let samples = stride(from: now.timeIntervalSince1970 - 3 * day, through: now.timeIntervalSince1970, by: 300).map { time in
                Sample(timestamp: Timestamp(time * 1000), value: (1000 + 800 * sin(2 * .pi * time / day)) / 2)
            }
            series.append(SeriesSamples(labels: Labels(["__name__": "http_requests_per_second", "namespace": "shop", "pod": pod]), samples: samples))
        }
        _ = try database.append(series)
        return database
    }

    static let policy = ScalingPolicy(
        name: "web", target: .init(namespace: "shop", name: "web"), minReplicas: 2, maxReplicas: 50,
        metrics: [MetricSpecification(source: .pods("http_requests_per_second"), target: .averageValue(100_000))],
        predictive: PredictiveSettings(headroom: 0, seasons: [86_400], historySeconds: 3 * 86_400, resolutionSeconds: 300, lookAheadSeconds: 7200))

    @Test func primedForecastRaisesTheFloorBeforeThePeak() async throws {
        let dir = try TemporaryDirectory(prefix: "surge-live-evaluation")
        defer { dir.remove() }
        let now = Date(timeIntervalSince1970: 1_795_305_600)  // 2026-11-22T00:00:00Z
        let database = try Self.database(now: now, in: dir)
        defer { database.close() }
        let source = EmbeddedQueryEngine(querier: database)

        var primed = LiveEvaluation(policy: Self.policy)
        let counts = await primed.prime(from: source, now: now)
        // Every 5 minutes from three days back up to 5 minutes before now, both ends included.
        #expect(counts == [864])
        let decision = await primed.evaluate(now: now, metrics: source, workload: WorkloadState(specReplicas: 2))
        // Now 1000 (ten pods' worth); two hours on the curve reaches 1000 + 800 sin(30 deg) = 1400.
        let forecast = try #require(decision.forecast)
        #expect(abs(forecast.peak - 1400) < 50, "\(forecast)")
        // Sized at 100 per pod plus the 10 % scale-up tolerance: 1400 / 110, 13 pods.
        #expect(decision.desiredReplicas == forecast.replicas && (13...14).contains(decision.desiredReplicas), "\(decision.explanation)")
        #expect(decision.drivenBy == .forecast)

        var cold = LiveEvaluation(policy: Self.policy)
        let unprimed = await cold.evaluate(now: now, metrics: source, workload: WorkloadState(specReplicas: 2))
        #expect(unprimed.forecast == nil && unprimed.explanation.contains { $0.contains("still learning") })
        // Without behavior the HPA's scale-up limit is max(2 x current, 4): 4 from two replicas.
        #expect(unprimed.desiredReplicas == 4 && unprimed.drivenBy == .metrics, "\(unprimed.desiredReplicas) \(unprimed.explanation)")
    }

    struct FailingSource: QueryEngine {
        func instant(_ query: String, at time: Timestamp) async throws -> QueryValue {
            throw QueryError(.unavailable, "cannot reach http://127.0.0.1:1")
        }

        func range(_ query: String, start: Timestamp, end: Timestamp, step: Int64) async throws -> QueryValue {
            throw QueryError(.unavailable, "cannot reach http://127.0.0.1:1")
        }
    }

    @Test func failingSourceLeavesMetricsUnavailable() async throws {
        let source = FailingSource()
        var evaluation = LiveEvaluation(policy: Self.policy)
        #expect(await evaluation.prime(from: source, now: Date()) == [0])
        let decision = await evaluation.evaluate(now: Date(), metrics: source, workload: WorkloadState(specReplicas: 3))
        #expect(decision.desiredReplicas == 3)
        let active = decision.reactive.conditions.first { $0.type == "ScalingActive" }
        #expect(active?.status == .false && active?.reason == "FailedGetPodsMetric", "\(decision.reactive.conditions)")
    }
}
