import Benchmark
import Foundation
import Synchronization
import Logging
import PromQL
import Scaling
import ScalingRuntime
import Storage
import TimeSeriesCore

/// Decision latency inside Surge: from a sample's arrival in storage to the replica decision. One
/// iteration appends the newest sample of each of a workload's 50 pods to a database that also
/// holds 20,000 other series, evaluates the policy's PromQL over the head, and runs the policy
/// (HPA math, stabilization, schedules, a ready seasonal forecast). The p99 of the wall clock is the
/// figure to hold against the HPA's 15 s sync period.
/// The second benchmark is the same path end to end inside `surge serve`'s scaling service: the
/// append reaches the service through an append watch's stream, the service decides and publishes,
/// and the clock stops when the published decision count moves (looked at every 200 µs); the
/// policy's own interval is 10 minutes, so every decision measured is one a sample's arrival started.
/// Run with `swift package --package-path Benchmarks benchmark --target ScalingBenchmarks`.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(10), maxIterations: 2000)
    let pods = 50
    let otherSeries = 20_000
    let start: Int64 = 1_790_000_000_000
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("surge-scaling-bench-\(getpid())")
    let database = try! Database(directory: directory, logger: Logger(label: "bench"))
    func append(at time: Int64, others: Bool) {
        var batch = WriteBatch(reservingSeries: pods + (others ? otherSeries : 0), samples: pods + otherSeries, bytes: (pods + otherSeries) * 100)
        for pod in 0..<pods {
            for label in Labels(["__name__": "http_requests_per_second", "namespace": "shop", "pod": "web-\(pod)"]).pairs {
                batch.appendLabel(name: label.name, value: label.value)
            }
            batch.appendSample(Sample(timestamp: time, value: 90 + Double((time / 15_000) % 40)))
            batch.endSeries()
        }
        if others {
            for series in 0..<otherSeries {
                for label in Labels(["__name__": "http_requests_per_second", "namespace": "ns-\(series % 40)", "pod": "app-\(series)"]).pairs {
                    batch.appendLabel(name: label.name, value: label.value)
                }
                batch.appendSample(Sample(timestamp: time, value: 1))
                batch.endSeries()
            }
        }
        _ = try! database.append(batch)
    }
    for step in 0..<20 { append(at: start + Int64(step) * 15_000, others: true) }

    let policy = ScalingPolicy(
        name: "web", target: .init(namespace: "shop", name: "web"), minReplicas: 2, maxReplicas: 200,
        metrics: [MetricSpecification(source: .pods("http_requests_per_second"), target: .averageValue(100_000))],
        schedules: [ScheduleWindow(name: "office", timing: .recurring(start: try! CronExpression("0 9 * * 1-5"), end: try! CronExpression("0 18 * * 1-5")),
                                   timeZone: TimeZone(identifier: "Asia/Shanghai")!, minReplicas: 20)],
        predictive: PredictiveSettings(seasons: [86_400], historySeconds: 2 * 86_400, resolutionSeconds: 300))
    var evaluator = PolicyEvaluator(policy: policy)
    // Two days of history so the forecast is ready and forecasting on every decision.
    for minute in stride(from: -2 * 1440, to: 0, by: 5) {
        let time = Date(timeIntervalSince1970: Double(start / 1000) + Double(minute) * 60)
        evaluator.learn(metric: 0, value: 5000 + 2000 * sin(Double(minute) / 1440 * 2 * .pi), at: time)
    }
    let query = try! Parser.parse(#"sum by (pod) (http_requests_per_second{namespace="shop", pod=~"web-.*"})"#)
    let engine = Engine(querier: database)
    var time = start + 20 * 15_000
    Benchmark("sample arrival to decision, 50 pods among 20k series") { benchmark in
        for _ in benchmark.scaledIterations {
            time += 15_000
            append(at: time, others: false)
            guard case .vector(let vector) = try engine.instant(query, at: time) else { fatalError("expected a vector") }
            var samples: [String: PodMetric] = [:]
            let now = Date(timeIntervalSince1970: Double(time) / 1000)
            for element in vector {
                samples[element.labels["pod"] ?? ""] = PodMetric(value: Int64(element.value * 1000), timestamp: now)
            }
            let podStates = samples.keys.map { PodState(name: $0) }
            let decision = evaluator.decide(PolicyInput(now: now, specReplicas: pods, pods: podStates, observations: [.perPod(samples)]))
            blackHole(decision.desiredReplicas)
        }
    }

    var served = policy
    served.intervalSeconds = 600
    served.target = .init(namespace: "shop", name: "web")
    // The simulated clock, read by the service's task.
    let clock = SimulatedClock()
    let decisions = ScalingDecisions(policies: [served])
    let service = ScalingService(policies: [served], metrics: EmbeddedQueryEngine(querier: database), workloads: GivenReplicas(pods),
                                 decisions: decisions, arrivals: database, clock: clock, logger: Logger(label: "bench"))
    var running: Task<Void, Never>?
    Benchmark("sample arrival to published decision, scaling service", configuration: .init(maxDuration: .seconds(20), maxIterations: 500)) { benchmark in
        if running == nil {
            clock.milliseconds.store(time, ordering: .relaxed)
            running = Task { try? await service.run() }
            while decisions.evaluationCount == 0 { try? await Task.sleep(for: .milliseconds(1)) }
        }
        for _ in benchmark.scaledIterations {
            let before = decisions.evaluationCount
            time += 15_000
            clock.milliseconds.store(time, ordering: .relaxed)
            benchmark.startMeasurement()
            append(at: time, others: false)
            while decisions.evaluationCount == before { try? await Task.sleep(for: .microseconds(200)) }
            benchmark.stopMeasurement()
        }
    } teardown: {
        running?.cancel()
        await running?.value
        database.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Time the benchmark sets; the policy's ten-minute interval never comes due, so a sleep lasts
/// until the task is cancelled.
final class SimulatedClock: LoopClock {
    let milliseconds = Atomic<Int64>(0)

    var nanoseconds: Int64 { milliseconds.load(ordering: .relaxed) * 1_000_000 }

    func sleep(until deadline: Timestamp) async throws {
        while now < deadline { try await Task.sleep(for: .seconds(60)) }
    }
}
