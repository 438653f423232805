import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import QueryClient
import TimeSeriesCore
import WireFormat

/// A remote-write load generator: `series` series, one sample every `interval` for `duration`,
/// ending now, sent by `concurrency` workers that each own a share of the series and send it in
/// time order. Every request body is built before the clock starts.
public struct RemoteWriteLoad: Sendable {
    public var url: String
    public var series = 100_000
    public var intervalMilliseconds: Int64 = 15_000
    public var durationMilliseconds: Int64 = 2 * 3_600_000
    public var concurrency = 4
    /// Series per request (one sample each); Prometheus sends up to 2,000 samples per request.
    public var batch = 2_000
    /// The newest timestamp; default the current time rounded down to the interval.
    public var end: Timestamp?
    /// Credentials and TLS for a receiver that wants them.
    public var settings = HTTPClientSettings()

    public init(url: String) { self.url = url }

    public struct Result: Sendable {
        public var samplesSent = 0
        public var requests = 0
        public var errorsByStatus: [String: Int] = [:]
        public var seconds = 0.0
        public var encodeSeconds = 0.0
        public var compressedBytes = 0
        public var samplesPerSecond: Double { seconds > 0 ? Double(samplesSent) / seconds : 0 }
    }

    var steps: Int { max(1, Int(durationMilliseconds / intervalMilliseconds)) }

    /// Bodies per worker, in the order the worker sends them.
    func encode(end: Timestamp) -> [[ByteBuffer]] {
        let profile = LoadProfile(series: series)
        let start = end - Int64(steps - 1) * intervalMilliseconds
        var workers: [[ByteBuffer]] = Array(repeating: [], count: concurrency)
        let interval = Double(intervalMilliseconds) / 1000
        for worker in 0..<concurrency {
            let owned = Array(stride(from: worker, to: series, by: concurrency))
            var templates: [(RemoteWriteTemplate, [Int])] = []
            for first in stride(from: 0, to: owned.count, by: batch) {
                let members = Array(owned[first..<min(first + batch, owned.count)])
                templates.append((RemoteWriteTemplate(series: members.map(profile.labels), timestampWidthOf: start), members))
            }
            for step in 0..<steps {
                let t = start + Int64(step) * intervalMilliseconds
                for index in templates.indices {
                    for (position, member) in templates[index].1.enumerated() {
                        templates[index].0.set(position, timestamp: t, value: profile.value(member, step: step, interval: interval))
                    }
                    workers[worker].append(ByteBuffer(bytes: templates[index].0.compressed()))
                }
            }
        }
        return workers
    }

    public func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Result {
        let end = self.end ?? (Timestamp(Date().timeIntervalSince1970 * 1000) / intervalMilliseconds * intervalMilliseconds)
        progress("encoding \(series) series x \(steps) samples in requests of \(batch) series")
        let encodeStart = ContinuousClock.now
        let bodies = encode(end: end)
        var result = Result()
        result.encodeSeconds = (ContinuousClock.now - encodeStart).seconds
        result.compressedBytes = bodies.reduce(0) { $0 + $1.reduce(0) { $0 + $1.readableBytes } }
        progress("encoded \(bodies.reduce(0) { $0 + $1.count }) requests, \(result.compressedBytes) bytes, in \(String(format: "%.1f", result.encodeSeconds)) s; sending")

        let client = settings.tls.map { tls in
            HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(tlsConfiguration: tls))
        } ?? HTTPClient(eventLoopGroupProvider: .singleton)
        let started = ContinuousClock.now
        var final = Result()
        do {
            try await checkReachable(client: client)
            final = try await sendAll(bodies, client: client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        let elapsed = (ContinuousClock.now - started).seconds
        final.seconds = elapsed
        final.encodeSeconds = result.encodeSeconds
        final.compressedBytes = result.compressedBytes
        return final
    }

    /// Fails fast when nothing answers at `url`: the client keeps retrying a refused connection
    /// until a request's deadline. Any HTTP answer will do.
    private func checkReachable(client: HTTPClient) async throws {
        do {
            var request = HTTPClientRequest(url: url)
            settings.authorize(&request)
            let response = try await client.execute(request, timeout: .seconds(5))
            _ = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw RemoteWriteLoadError("cannot reach \(url): \(error)")
        }
    }

    /// Each worker sends its bodies in order and counts on its own; the counts add up when all
    /// are done. A request that never reached the server ends the run.
    private func sendAll(_ bodies: [[ByteBuffer]], client: HTTPClient) async throws -> Result {
        let perRequest = requestSampleCounts()
        return try await withThrowingTaskGroup(of: Result.self) { group in
            for worker in 0..<concurrency {
                let mine = bodies[worker]
                let counts = perRequest[worker]
                group.addTask {
                    var tally = Result()
                    for (index, body) in mine.enumerated() {
                        let outcome = await send(body, client: client)
                        if let unreachable = outcome.unreachable {
                            throw RemoteWriteLoadError("cannot reach \(url) (\(Self.attempts) attempts): \(unreachable)")
                        }
                        tally.requests += 1
                        for status in outcome.failures { tally.errorsByStatus[status, default: 0] += 1 }
                        if outcome.delivered { tally.samplesSent += counts[index % counts.count] }
                    }
                    return tally
                }
            }
            var total = Result()
            for try await tally in group {
                total.requests += tally.requests
                total.samplesSent += tally.samplesSent
                total.errorsByStatus.merge(tally.errorsByStatus, uniquingKeysWith: +)
            }
            return total
        }
    }

    /// Samples in each of a worker's requests, cycling per step.
    private func requestSampleCounts() -> [[Int]] {
        (0..<concurrency).map { worker in
            let owned = (series - worker + concurrency - 1) / concurrency
            return stride(from: 0, to: owned, by: batch).map { min(batch, owned - $0) }
        }
    }

    private struct Outcome {
        var delivered = false
        /// The status (or "connection") of every failed attempt.
        var failures: [String] = []
        /// The last connection error, when no attempt reached the server.
        var unreachable: String?
    }

    static let attempts = 10

    /// Sends one body, retrying 5xx, 429 (as Prometheus does) and connection errors with a short
    /// backoff, about 11 s in all.
    private func send(_ body: ByteBuffer, client: HTTPClient) async -> Outcome {
        var outcome = Outcome()
        var backoff = Duration.milliseconds(50)
        var reached = false
        var lastError: (any Error)?
        for _ in 0..<Self.attempts where !Task.isCancelled {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-protobuf")
            request.headers.add(name: "Content-Encoding", value: "snappy")
            request.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
            settings.authorize(&request)
            request.body = .bytes(body)  // shared, not copied
            do {
                let response = try await client.execute(request, timeout: .seconds(60))
                reached = true
                _ = try await response.body.collect(upTo: 1 << 20)
                let code = Int(response.status.code)
                if (200..<300).contains(code) {
                    outcome.delivered = true
                    return outcome
                }
                outcome.failures.append(String(code))
                if code != 429 && code < 500 { return outcome }
            } catch {
                outcome.failures.append("connection")
                lastError = error
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
        if !reached, let lastError { outcome.unreachable = "\(lastError)" }
        return outcome
    }
}

public struct RemoteWriteLoadError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Durations on the command line, in PromQL's notation (`15s`, `2h`, `1h30m`).
public enum BenchDuration {
    public static func parse(_ text: String) -> Int64? { parseDuration(text) }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
