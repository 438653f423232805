import Foundation
import Logging
import Synchronization
import TimeSeriesCore

/// The time-series database: an in-memory head logged to a WAL, cut into immutable blocks on disk
/// that are compacted into larger ones and deleted by retention.
///
/// An append resolves series, writes one WAL batch and then updates the head, all under the lock,
/// so the WAL order is the head order and a series record always precedes its samples. Queries copy
/// what they need under the lock and decode after releasing it.
public final class Database: SeriesAppender, SeriesQuerier {
    struct State: ~Copyable {
        var index = HeadIndex()
        var wal: WriteAheadLog
        var chunks: HeadChunkStore
        var blocks: [Block] = []
        /// Series added to the head whose record has not reached the WAL (its write failed); they are
        /// logged with the next successful write so their samples are never orphaned on replay.
        var unloggedSeries: [SeriesRef] = []
        var samplesAppended = 0
        var headMinTime: Timestamp = .max
        var headMaxTime: Timestamp = .min
        /// Samples older than this belong to a persisted block and are refused.
        var minValidTime: Timestamp = .min
        var rejected: [AppendRejection: Int] = [:]

        /// Identifies the append in progress to the series it touches (see `MemSeries.batchStamp`).
        var appendStamp: UInt32 = 0
        /// The result of the last cache-warming pass, kept so the pass is not optimized away.
        var cacheTouch: UInt64 = 0
        /// Registered append watches by slot; a slot is a bit of the series' watch masks.
        var watches: [AppendWatch?] = Array(repeating: nil, count: AppendWatch.slots)
        var closed = false
    }

    let state: Mutex<State>
    /// Held while a compaction or retention pass runs, so only one runs at a time.
    let maintenance = Mutex(())
    let logger: Logger
    let options: DatabaseOptions
    public let directory: URL
    /// The wall clock samples are judged against (too far in the future) and time retention
    /// counts back from.
    let clock: any LoopClock
    /// Damaged block chunks found by reads, over every block this database opens.
    let chunkDamage: ChunkDamage
    /// Failed writes and whether the disk is full.
    let diskWrites: DiskWrites

    /// Opens (or creates) the database in `directory`: loads its blocks and replays its WAL.
    public init(directory: URL, options: DatabaseOptions = .init(), clock: any LoopClock = SystemClock(), logger: Logger) throws {
        self.directory = directory
        self.logger = logger
        self.options = options
        self.clock = clock
        chunkDamage = ChunkDamage(logger: logger)
        diskWrites = DiskWrites(logger: logger)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let blocks = try Self.openBlocks(in: directory, damage: chunkDamage, logger: logger)
        let wal = try WriteAheadLog(
            directory: directory.appendingPathComponent("wal"),
            segmentSize: options.walSegmentSize,
            syncPolicy: options.walSync)
        let chunks = try HeadChunkStore(directory: directory.appendingPathComponent("chunks_head"), writes: diskWrites)
        var state = State(wal: wal, chunks: chunks, blocks: blocks)
        // The newest sample is not known before replay; the blocks' end stands in for it, so replay
        // keeps what senders may still have sent within the lag after the last block was written.
        let persistedEnd = blocks.map(\.meta.maxTime).max()
        if let persistedEnd { state.minValidTime = options.minValidTime(persistedEnd: persistedEnd, newest: persistedEnd - 1) }
        try Self.replay(into: &state, options: options, logger: logger)
        if let persistedEnd {
            state.minValidTime = max(state.minValidTime,
                                     options.minValidTime(persistedEnd: persistedEnd, newest: max(persistedEnd - 1, state.headMaxTime)))
        }
        self.state = Mutex(state)
    }

    /// Loads every complete block; removes leftovers of interrupted writes and compactions.
    private static func openBlocks(in directory: URL, damage: ChunkDamage, logger: Logger) throws -> [Block] {
        var blocks: [Block] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
            let url = directory.appendingPathComponent(name)
            if name.hasSuffix(".tmp") {
                try? FileManager.default.removeItem(at: url)
                continue
            }
            guard BlockID.isValid(name) else { continue }
            do {
                blocks.append(try Block(directory: url, damage: damage))
            } catch {
                logger.error("block cannot be read; it is left in place and ignored", metadata: ["block": "\(name)", "error": "\(error)"])
            }
        }
        // A block whose sources another block already contains is the leftover of a compaction
        // that stopped before deleting its inputs.
        let merged = Set(blocks.filter { $0.meta.compaction.level > 1 }.flatMap { block in
            block.meta.compaction.sources.filter { $0 != block.meta.ulid }
        })
        var kept: [Block] = []
        for block in blocks {
            if block.meta.compaction.level == 1 && merged.contains(block.meta.ulid) {
                try? FileManager.default.removeItem(at: block.directory)
                logger.info("removed a block already merged into another", metadata: ["block": "\(block.meta.ulid)"])
            } else {
                kept.append(block)
            }
        }
        return kept.sorted { $0.meta.minTime < $1.meta.minTime }
    }

    public var stats: DatabaseStats {
        state.withLock { state in
            var stats = DatabaseStats()
            stats.series = state.index.count
            stats.samplesAppended = state.samplesAppended
            stats.walBytes = state.wal.totalSize
            stats.headChunkBytes = state.chunks.totalBytes
            var memory = 0
            for series in state.index.series { memory += series?.memoryChunkBytes ?? 0 }
            stats.chunkBytes = memory + state.chunks.totalBytes
            stats.blocks = state.blocks.count
            stats.blockBytes = state.blocks.reduce(0) { $0 + $1.sizeBytes }
            stats.blockSamples = state.blocks.reduce(0) { $0 + $1.meta.stats.numSamples }
            stats.rejected = state.rejected
            stats.damagedChunkReads = chunkDamage.total
            stats.writeFailures = Dictionary(uniqueKeysWithValues: diskWrites.failuresByKind.map { ($0.key.rawValue, $0.value) })
            stats.diskFull = diskWrites.isFull
            let blockMin = state.blocks.first?.meta.minTime
            let blockMax = state.blocks.map(\.lastTime).max()
            let mins = [blockMin, state.headMinTime == .max ? nil : state.headMinTime].compactMap { $0 }
            let maxs = [blockMax, state.headMaxTime == .min ? nil : state.headMaxTime].compactMap { $0 }
            stats.minTime = mins.min()
            stats.maxTime = maxs.max()
            stats.headMinTime = state.headMinTime == .max ? nil : state.headMinTime
            stats.headMaxTime = state.headMaxTime == .min ? nil : state.headMaxTime
            return stats
        }
    }

    /// The head's figures and cardinality rankings for `/api/v1/status/tsdb`, `limit` entries each.
    public func tsdbStatus(limit: Int) -> TSDBStatus {
        state.withLock { state in
            var status = state.index.cardinality(limit: limit)
            for series in state.index.series { status.chunkCount += series?.chunkCount ?? 0 }
            status.minTime = state.headMinTime
            status.maxTime = state.headMaxTime
            return status
        }
    }

    /// Metadata of the persisted blocks, oldest first.
    public var blocks: [BlockMeta] { state.withLock { $0.blocks.map(\.meta) } }

    /// Flushes and closes the WAL; later appends fail.
    public func close() {
        maintenance.withLock { _ in
            state.withLock { state in
                guard !state.closed else { return }
                state.closed = true
                state.wal.close()
                state.chunks.close()
            }
        }
        logger.info("database closed")
    }
}

public struct DatabaseClosedError: Error, CustomStringConvertible, Sendable {
    public var description: String { "the database is closed" }
}
