import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Storage
import TimeSeriesCore
import WireFormat

/// Where one forwarder sends, and how.
public struct RemoteWriteReceiver: Sendable, Equatable {
    public var name: String
    public var url: String
    public var timeout: Duration = .seconds(30)
    public var headers: [String: String] = [:]
    /// A full `Authorization` header value, read from the configuration's credentials.
    public var authorization: String?
    public var version: RemoteWriteVersion = .v1
    public var queue = RemoteWriteQueueSettings()

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}

/// Sends what Surge's write-ahead log receives to another receiver, as Prometheus' remote-write
/// does: the log is read from where the last acknowledged batch ended (kept in `positionFile`, so a
/// restart resends nothing acknowledged and loses nothing not yet sent, within the log's retention),
/// spread over shards by series (so each series' samples keep their order), cut into batches of
/// `max_samples_per_send` or `batch_send_deadline`, and each batch sent until the receiver takes it
/// (5xx, 429 and failures retried with backoff) or refuses it for good (other 4xx: dropped and
/// counted). Shards send at once; their number follows throughput between `min_shards` and
/// `max_shards`, changed only while nothing waits. The log is not read further while a shard is
/// full, so memory stays bounded however long the receiver is away.
public struct RemoteWriteForwarder: Service {
    let receiver: RemoteWriteReceiver
    let walDirectory: URL
    let positionFile: URL
    let http: HTTPClient
    /// A client of the forwarder's own (TLS, a proxy), made when it starts and shut down when it ends.
    let clientConfiguration: HTTPClient.Configuration?
    let stats: ForwardingStats
    /// `write_relabel_configs`: a series' labels as sent, or nil to leave it out.
    let relabel: (@Sendable (Labels) -> Labels?)?
    let clock: any LoopClock
    let logger: Logger

    public init(receiver: RemoteWriteReceiver, walDirectory: URL, positionFile: URL, http: HTTPClient = .shared,
                clientConfiguration: HTTPClient.Configuration? = nil, stats: ForwardingStats,
                relabel: (@Sendable (Labels) -> Labels?)? = nil, clock: any LoopClock = SystemClock(), logger: Logger) {
        self.relabel = relabel
        self.receiver = receiver
        self.walDirectory = walDirectory
        self.positionFile = positionFile
        self.http = http
        self.clientConfiguration = clientConfiguration
        self.stats = stats
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        guard let clientConfiguration else { return await forward(using: http) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        await forward(using: client)
        try? await client.shutdown()
    }

    /// Shards' batchers, one per shard; a series always lands in the same one while the count holds.
    struct Shards {
        var batchers: [SendBatcher<WALTail.Sample>]
        init(count: Int, settings: RemoteWriteQueueSettings) { batchers = Array(repeating: SendBatcher(settings: settings), count: count) }
        var isEmpty: Bool { batchers.allSatisfy(\.waiting.isEmpty) }
        /// By the series' reference: cheap, and the same shard for every sample of a series.
        mutating func offer(_ sample: WALTail.Sample, at now: Timestamp) -> Bool {
            batchers[Int(sample.ref % UInt32(batchers.count))].offer(sample, at: now)
        }
    }

    func forward(using http: HTTPClient) async {
        let saved = (try? Data(contentsOf: positionFile)).flatMap { try? JSONDecoder().decode(WALTail.Position.self, from: $0) }
        var tail = WALTail(directory: walDirectory, from: saved)
        stats.holding(segment: saved?.segment ?? 0, receiver: receiver.name)
        var shardCount = ShardCount()
        var shards = Shards(count: receiver.queue.minShards, settings: receiver.queue)
        stats.shards(shards.batchers.count, receiver: receiver.name)
        var unsent: [WALTail.Sample] = []
        var reportedLost = 0
        // What happened since the shard count was last reckoned.
        var tickStart = clock.now, tickIn = 0, tickOut = 0, tickSeconds = 0.0
        logger.info("forwarding samples to a remote-write receiver", metadata: ["receiver": "\(receiver.name)", "url": "\(receiver.url)"])
        while !Task.isShuttingDownGracefully {
            if unsent.isEmpty {
                do {
                    unsent = try tail.read(maxBytes: 4 << 20)
                } catch {
                    logger.warning("forwarding: the write-ahead log cannot be read", metadata: ["error": "\(error)"])
                }
                stats.read(unsent.count, newest: unsent.last?.timestamp, receiver: receiver.name)
                tickIn += unsent.count
                if tail.segmentsLost > reportedLost {
                    logger.error("forwarding: the receiver was away longer than the write-ahead log keeps samples; some were never sent",
                                 metadata: ["receiver": "\(receiver.name)", "segmentsLost": "\(tail.segmentsLost - reportedLost)"])
                    reportedLost = tail.segmentsLost
                }
            }
            let now = clock.now
            var taken = 0
            while taken < unsent.count, shards.offer(unsent[taken], at: now) { taken += 1 }
            unsent.removeFirst(taken)
            // Due batches of every shard; a shard that refused more sends what it holds.
            var due: [[[WALTail.Sample]]] = []
            for index in shards.batchers.indices {
                var batches: [[WALTail.Sample]] = []
                while let batch = shards.batchers[index].due(at: now) { batches.append(batch) }
                if batches.isEmpty, !unsent.isEmpty, let batch = shards.batchers[index].due(at: .max) { batches.append(batch) }
                due.append(batches)
            }
            if due.contains(where: { !$0.isEmpty }) {
                // Each shard's time spent sending, summed: what one sample costs a shard.
                let (done, seconds) = await withTaskGroup(of: (Bool, Double).self) { group in
                    for batches in due where !batches.isEmpty {
                        group.addTask {
                            let started = ContinuousClock.now
                            for batch in batches { guard await send(batch, using: http) else { return (false, 0) } }
                            return (true, (ContinuousClock.now - started).inSeconds)
                        }
                    }
                    return await group.reduce((true, 0.0)) { ($0.0 && $1.0, $0.1 + $1.1) }
                }
                guard done else { break }
                tickOut += due.reduce(0) { $0 + $1.reduce(0) { $0 + $1.count } }
                tickSeconds += seconds
                // Everything read so far is sent once nothing waits: the position is safe to keep.
                if shards.isEmpty && unsent.isEmpty, let position = tail.position {
                    try? JSONEncoder().encode(position).write(to: positionFile, options: .atomic)
                    stats.holding(segment: position.segment, receiver: receiver.name)
                    let elapsed = Double(clock.now - tickStart) / 1000
                    if elapsed >= shardCount.interval {
                        shardCount.tick(samplesIn: Double(tickIn), samplesOut: Double(tickOut), sendSeconds: tickSeconds, over: elapsed)
                        let figures = stats.all[receiver.name] ?? .init()
                        let wanted = shardCount.desired(current: shards.batchers.count,
                                                        delaySeconds: Double(figures.highestRead - figures.highestSent) / 1000, settings: receiver.queue)
                        if wanted != shards.batchers.count {
                            logger.info("forwarding: shards resized", metadata: ["receiver": "\(receiver.name)", "from": "\(shards.batchers.count)", "to": "\(wanted)"])
                            shards = Shards(count: wanted, settings: receiver.queue)
                            stats.shards(wanted, receiver: receiver.name)
                        }
                        tickStart = clock.now
                        (tickIn, tickOut, tickSeconds) = (0, 0, 0)
                    }
                }
                continue
            }
            do {
                try await cancelWhenGracefulShutdown { [clock] in try await clock.sleep(for: .milliseconds(200)) }
            } catch {
                break
            }
        }
    }

    /// Sends one batch until it is taken or refused for good; false when shutting down first.
    func send(_ batch: [WALTail.Sample], using http: HTTPClient) async -> Bool {
        // Grouped by series reference; labels are compared (usually the same storage) and relabelled
        // once per series. A reference a restart gave to another series starts a group of its own.
        var groups: [SeriesRef: [Int]] = [:]
        var order: [(source: Labels, labels: Labels?, samples: [Sample])] = []
        for sample in batch {
            var slot = groups[sample.ref]?.first { order[$0].source == sample.labels }
            if slot == nil {
                let labels = relabel.map { $0(sample.labels).flatMap { $0.isEmpty ? nil : $0 } } ?? sample.labels
                slot = order.count
                groups[sample.ref, default: []].append(order.count)
                order.append((sample.labels, labels, []))
            }
            if order[slot!].labels != nil { order[slot!].samples.append(Sample(timestamp: sample.timestamp, value: sample.value)) }
        }
        order.removeAll { $0.labels == nil }
        guard !order.isEmpty else { return true }
        let body = RemoteWriteEncoder.encode(order.map { RemoteWriteEncoder.WireSeries(labels: $0.labels!.pairs, samples: $0.samples) }, version: receiver.version)
        var attempts = SendAttempts(settings: receiver.queue)
        while !Task.isShuttingDownGracefully {
            var request = HTTPClientRequest(url: receiver.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: receiver.version == .v2 ? RemoteWriteVersion.v2ContentType : RemoteWriteVersion.v1ContentType)
            request.headers.add(name: "Content-Encoding", value: "snappy")
            request.headers.add(name: "X-Prometheus-Remote-Write-Version", value: receiver.version == .v2 ? "2.0.0" : "0.1.0")
            request.headers.add(name: "User-Agent", value: "surge")
            for (name, value) in receiver.headers { request.headers.add(name: name, value: value) }
            if let authorization = receiver.authorization { request.headers.add(name: "Authorization", value: authorization) }
            request.body = .bytes(ByteBuffer(bytes: body))
            var status: Int?
            var retryAfter: Double?
            do {
                let response = try await http.execute(request, timeout: .milliseconds(receiver.timeout.inMilliseconds))
                _ = try? await response.body.collect(upTo: 1 << 20)
                status = Int(response.status.code)
                retryAfter = response.headers.first(name: "Retry-After").flatMap { Double($0) }
            } catch {
                logger.debug("forwarding: the receiver did not answer", metadata: ["receiver": "\(receiver.name)", "error": "\(error)"])
            }
            switch attempts.outcome(status: status, retryAfterSeconds: retryAfter) {
            case .sent:
                stats.sent(batch.count, newest: batch.last?.timestamp, receiver: receiver.name)
                return true
            case .drop(let reason):
                stats.failed(batch.count, receiver: receiver.name)
                logger.warning("forwarding: the receiver refused a batch; it is dropped", metadata: ["receiver": "\(receiver.name)", "reason": "\(reason)"])
                return true
            case .retry(let wait):
                stats.retried(batch.count, receiver: receiver.name)
                do {
                    try await cancelWhenGracefulShutdown { [clock] in try await clock.sleep(for: wait) }
                } catch {
                    return false
                }
            }
        }
        return false
    }
}
