import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
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
    /// Each series' labels encoded once, for all its samples.
    let labelBlocks = LabelBlocks()
    /// How far the log has grown (newest sample time, samples appended since start), for the shard
    /// count: the backlog is what the log holds beyond what the receiver took, read or not.
    let logProgress: (@Sendable () -> (newest: Timestamp?, appended: Int))?
    let clock: any LoopClock
    let logger: Logger

    public init(receiver: RemoteWriteReceiver, walDirectory: URL, positionFile: URL, http: HTTPClient = .shared,
                clientConfiguration: HTTPClient.Configuration? = nil, stats: ForwardingStats,
                relabel: (@Sendable (Labels) -> Labels?)? = nil, logProgress: (@Sendable () -> (newest: Timestamp?, appended: Int))? = nil,
                clock: any LoopClock = SystemClock(), logger: Logger) {
        self.relabel = relabel
        self.logProgress = logProgress
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

    /// A sample waiting in a shard, with the read of the log it came from.
    struct Pending: Sendable {
        var sample: WALTail.Sample
        var read: Int
    }

    /// Shards' batchers, one per shard; a series always lands in the same one while the count holds.
    struct Shards {
        var batchers: [SendBatcher<Pending>]
        init(count: Int, settings: RemoteWriteQueueSettings) { batchers = Array(repeating: SendBatcher(settings: settings), count: count) }
        /// By the series' reference: cheap, and the same shard for every sample of a series.
        mutating func offer(_ item: Pending, at now: Timestamp) -> Bool {
            batchers[Int(item.sample.ref % UInt32(batchers.count))].offer(item, at: now)
        }
        /// Everything waiting, each shard's in its order (so each series' samples stay in order).
        var waiting: [Pending] { batchers.flatMap(\.waiting) }
    }

    func forward(using http: HTTPClient) async {
        var saved = (try? Data(contentsOf: positionFile)).flatMap { try? JSONDecoder().decode(WALTail.Position.self, from: $0) }
        var tail = WALTail(directory: walDirectory, from: saved)
        stats.holding(segment: saved?.segment ?? 0, receiver: receiver.name)
        var shardCount = ShardCount()
        var shards = Shards(count: receiver.queue.minShards, settings: receiver.queue)
        stats.shards(shards.batchers.count, receiver: receiver.name)
        var acknowledgements = ReadAcknowledgements()
        var unsent: [Pending] = []
        var reportedLost = 0
        // What happened since the shard count was last reckoned.
        var tickStart = clock.now, tickIn = 0, tickOut = 0, tickSeconds = 0.0
        var appendedBefore = logProgress?().appended
        logger.info("forwarding samples to a remote-write receiver", metadata: ["receiver": "\(receiver.name)", "url": "\(receiver.url)"])
        while !Task.isShuttingDownGracefully {
            if unsent.isEmpty {
                var read: [WALTail.Sample] = []
                do {
                    read = try tail.read(maxBytes: 4 << 20)
                } catch {
                    logger.warning("forwarding: the write-ahead log cannot be read", metadata: ["error": "\(error)"])
                }
                let number = acknowledgements.read(read.count, endingAt: tail.position)
                unsent = read.map { Pending(sample: $0, read: number) }
                stats.read(read.count, newest: read.last?.timestamp, receiver: receiver.name)
                tickIn += read.count
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
            var due: [[[Pending]]] = []
            for index in shards.batchers.indices {
                var batches: [[Pending]] = []
                while let batch = shards.batchers[index].due(at: now) { batches.append(batch) }
                if batches.isEmpty, !unsent.isEmpty, let batch = shards.batchers[index].due(at: .max) { batches.append(batch) }
                due.append(batches)
            }
            let sending = due.contains { !$0.isEmpty }
            if sending {
                // Each shard's time spent sending, retries included, summed: what one sample costs a shard.
                let (done, seconds) = await withTaskGroup(of: (Bool, Double).self) { group in
                    for batches in due where !batches.isEmpty {
                        group.addTask {
                            let started = ContinuousClock.now
                            for batch in batches { guard await send(batch.map(\.sample), using: http) else { return (false, 0) } }
                            return (true, (ContinuousClock.now - started).inSeconds)
                        }
                    }
                    return await group.reduce((true, 0.0)) { ($0.0 && $1.0, $0.1 + $1.1) }
                }
                guard done else { break }
                for batches in due {
                    for batch in batches {
                        var count = 0
                        for (index, item) in batch.enumerated() {
                            count += 1
                            if index == batch.count - 1 || batch[index + 1].read != item.read {
                                acknowledgements.done(count, ofRead: item.read)
                                count = 0
                            }
                        }
                        tickOut += batch.count
                    }
                }
                tickSeconds += seconds
            }
            // The log up to the newest read whose samples, and all before, the receiver has.
            if let position = acknowledgements.acknowledged(), position != saved {
                try? JSONEncoder().encode(position).write(to: positionFile, options: .atomic)
                stats.holding(segment: position.segment, receiver: receiver.name)
                saved = position
            }
            let elapsed = Double(clock.now - tickStart) / 1000
            if elapsed >= shardCount.interval {
                // Samples in: what the log took (what was read, without the log's figures).
                let progress = logProgress?()
                if let appended = progress?.appended, let before = appendedBefore { tickIn = max(appended - before, 0) }
                appendedBefore = progress?.appended
                shardCount.tick(samplesIn: Double(tickIn), samplesOut: Double(tickOut), sendSeconds: tickSeconds, over: elapsed)
                let figures = stats.all[receiver.name] ?? .init()
                let newest = max(progress?.newest ?? figures.highestRead, figures.highestRead)
                let wanted = shardCount.desired(current: shards.batchers.count,
                                                delaySeconds: Double(newest - figures.highestSent) / 1000, settings: receiver.queue)
                if wanted != shards.batchers.count {
                    logger.info("forwarding: shards resized", metadata: ["receiver": "\(receiver.name)", "from": "\(shards.batchers.count)", "to": "\(wanted)"])
                    // What waits moves to the new shards in its order; what they cannot hold goes back
                    // before what was not offered yet.
                    let waiting = shards.waiting
                    shards = Shards(count: wanted, settings: receiver.queue)
                    var moved = 0
                    while moved < waiting.count, shards.offer(waiting[moved], at: now) { moved += 1 }
                    unsent.insert(contentsOf: waiting[moved...], at: 0)
                    stats.shards(wanted, receiver: receiver.name)
                }
                tickStart = clock.now
                (tickIn, tickOut, tickSeconds) = (0, 0, 0)
            }
            if sending || !unsent.isEmpty { continue }
            do {
                try await cancelWhenGracefulShutdown { [clock] in try await clock.sleep(for: .milliseconds(200)) }
            } catch {
                break
            }
        }
    }

    /// Sends one batch until it is taken or refused for good; false when shutting down first.
    func send(_ batch: [WALTail.Sample], using http: HTTPClient) async -> Bool {
        // One series entry per sample, as Prometheus' queue sends them. Relabelling is worked out
        // once per series of the batch (a reference a restart gave to another series carries
        // other labels, and is worked out again).
        var kept = batch
        if let relabel {
            var relabelled: [SeriesRef: (source: Labels, labels: Labels?)] = [:]
            kept = []
            kept.reserveCapacity(batch.count)
            for var sample in batch {
                if relabelled[sample.ref]?.source != sample.labels {
                    relabelled[sample.ref] = (sample.labels, relabel(sample.labels).flatMap { $0.isEmpty ? nil : $0 })
                }
                guard let labels = relabelled[sample.ref]!.labels else { continue }
                sample.labels = labels
                kept.append(sample)
            }
        }
        guard !kept.isEmpty else { return true }
        let body: [UInt8]
        switch receiver.version {
        case .v1:
            body = Snappy.compress(RemoteWriteEncoder.protobufV1(eachSample: kept, labels: { labelBlocks.block(for: $0) }) {
                Sample(timestamp: $0.timestamp, value: $0.value)
            })
        case .v2:
            body = RemoteWriteEncoder.encode(kept.map { RemoteWriteEncoder.WireSeries(labels: $0.labels.pairs, samples: [Sample(timestamp: $0.timestamp, value: $0.value)]) },
                                             version: .v2)
        }
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

/// Each series' labels as remote-write 1.0 encodes them, kept by series reference (a reference a
/// restart gave to another series, or relabelled labels, are encoded again). Shards look it up at once.
final class LabelBlocks: Sendable {
    private let blocks = Mutex<[SeriesRef: (labels: Labels, block: RemoteWriteEncoder.LabelBlock)]>([:])

    func block(for sample: WALTail.Sample) -> RemoteWriteEncoder.LabelBlock {
        if let known = blocks.withLock({ $0[sample.ref] }), known.labels == sample.labels { return known.block }
        let block = RemoteWriteEncoder.LabelBlock(sample.labels.pairs)
        blocks.withLock { blocks in
            // Bounded: series that went away are dropped with the rest now and then.
            if blocks.count > 4_000_000 { blocks.removeAll() }
            blocks[sample.ref] = (sample.labels, block)
        }
        return block
    }
}
