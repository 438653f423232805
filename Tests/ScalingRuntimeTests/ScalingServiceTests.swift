import Foundation
import Logging
import Scaling
import ScalingRuntime
import SurgeTestKit
import Synchronization
import Testing
import TimeSeriesCore

/// The scaling service in-process, on a test clock: decisions at the policy's interval, at once on
/// a sample's arrival, none without a workload, and none after shutdown. Nothing sleeps for real.
@Suite struct ScalingServiceTests {
    /// Answers every query with `rps` per pod for pods web-0 and web-1, and counts the queries.
    final class FixedQueries: QueryEngine {
        let perPod = Mutex<Double>(150)
        let asked = Atomic<Int>(0)

        func instant(_ query: String, at time: Timestamp) async throws -> QueryValue {
            asked.add(1, ordering: .relaxed)
            let value = perPod.withLock { $0 }
            return .vector(["web-0", "web-1"].map { VectorElement(labels: Labels(["pod": $0]), timestamp: time, value: value) })
        }

        func range(_ query: String, start: Timestamp, end: Timestamp, step: Int64) async throws -> QueryValue { .matrix([]) }
    }

    /// Arrivals the test sends by hand.
    final class ManualArrivals: SampleArrivals {
        let sinks = Mutex<[AsyncStream<Void>.Continuation]>([])

        func arrivals(matching matchers: [LabelMatcher]) -> AsyncStream<Void>? {
            let (stream, sink) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            sinks.withLock { $0.append(sink) }
            return stream
        }

        func arrive() { sinks.withLock { $0.forEach { $0.yield() } } }
        var watching: Int { sinks.withLock { $0.count } }
    }

    final class Workloads: WorkloadSource {
        let available = Atomic<Bool>(true)

        func state(of target: ScalingPolicy.TargetReference) async throws -> WorkloadState {
            guard available.load(ordering: .relaxed) else { throw WorkloadError("the API server is down") }
            return WorkloadState(specReplicas: 2)
        }
    }

    static let policy = ScalingPolicy(name: "web", target: .init(namespace: "shop", name: "web"), minReplicas: 1, maxReplicas: 20,
                                      metrics: [MetricSpecification(source: .pods("http_requests_per_second"), target: .averageValue(100_000))],
                                      intervalSeconds: 15)

    final class Harness: Sendable {
        let clock = ManualClock(now: 1_800_000_000_000)
        let queries = FixedQueries()
        let arrivals = ManualArrivals()
        let workloads = Workloads()
        let decisions = ScalingDecisions(policies: [ScalingServiceTests.policy])

        var snapshot: ScalingDecisions.Snapshot { decisions.snapshots()[0] }

        func service() -> ScalingService {
            ScalingService(policies: [ScalingServiceTests.policy], metrics: queries, workloads: workloads,
                           decisions: decisions, arrivals: arrivals, clock: clock, logger: Logger(label: "test"))
        }

        /// Waits (yielding, never sleeping) until the loop has made `evaluations` decisions and
        /// recorded `failures`, and sleeps on the clock again.
        func settle(evaluations: Int, failures: Int = 0, sourceLocation: SourceLocation = #_sourceLocation) async {
            for _ in 0..<2_000_000 {
                let current = snapshot
                if current.evaluations >= evaluations && current.failures >= failures && clock.sleeperCount > 0 { return }
                await Task.yield()
            }
            Issue.record("the loop did not reach \(evaluations) decisions and \(failures) failures: \(snapshot.evaluations), \(snapshot.failures)",
                         sourceLocation: sourceLocation)
        }
    }

    @Test func decidesAtItsIntervalAndAtOnceOnAnArrival() async throws {
        let harness = Harness()
        let running = Task { try await harness.service().run() }
        defer { running.cancel() }
        await harness.settle(evaluations: 1)
        #expect(harness.snapshot.trigger == .interval)
        #expect(harness.arrivals.watching == 1)
        #expect(harness.clock.nextDeadline == 1_800_000_015_000)

        // 300 requests per second over two pods at 100 each: 3 replicas wanted.
        harness.queries.perPod.withLock { $0 = 150 }
        harness.clock.advance(by: 2_000)
        harness.arrivals.arrive()
        await harness.settle(evaluations: 2)
        #expect(harness.snapshot.trigger == .arrival)
        #expect(harness.snapshot.evaluatedAt == Date(milliseconds: 1_800_000_002_000))

        // The interval still counts from the last sync.
        harness.clock.advance(to: 1_800_000_015_000)
        await harness.settle(evaluations: 3)
        #expect(harness.snapshot.trigger == .interval)
        #expect(harness.snapshot.evaluatedAt == Date(milliseconds: 1_800_000_015_000))
        #expect(harness.clock.nextDeadline == 1_800_000_030_000)
        running.cancel()
        _ = await running.result
    }

    @Test func manyArrivalsDuringADecisionAreOneMoreDecision() async throws {
        let harness = Harness()
        let running = Task { try await harness.service().run() }
        defer { running.cancel() }
        await harness.settle(evaluations: 1)
        for _ in 0..<50 { harness.arrivals.arrive() }
        await harness.settle(evaluations: 2)
        // Give any queued arrival a chance to surface before counting.
        for _ in 0..<200 { await Task.yield() }
        #expect((2...3).contains(harness.snapshot.evaluations), "\(harness.snapshot.evaluations)")
        running.cancel()
        _ = await running.result
    }

    @Test func withoutAWorkloadNothingIsDecidedUntilItCanBeRead() async throws {
        let harness = Harness()
        harness.workloads.available.store(false, ordering: .relaxed)
        let running = Task { try await harness.service().run() }
        defer { running.cancel() }
        await harness.settle(evaluations: 0, failures: 1)
        #expect(harness.snapshot.lastError == "cannot read the workload: the API server is down")
        let asked = harness.queries.asked.load(ordering: .relaxed)
        // An arrival without a workload waits for the next sync.
        harness.arrivals.arrive()
        for _ in 0..<1_000 { await Task.yield() }
        #expect(harness.snapshot.evaluations == 0 && harness.queries.asked.load(ordering: .relaxed) == asked)
        harness.workloads.available.store(true, ordering: .relaxed)
        harness.clock.advance(by: 15_000)
        await harness.settle(evaluations: 1, failures: 1)
        #expect(harness.snapshot.lastError == nil && harness.snapshot.trigger == .interval)
        running.cancel()
        _ = await running.result
    }
}
