import TimeSeriesCore

/// Figures of the database for /metrics and the CLI.
public struct DatabaseStats: Sendable, Equatable {
    public var series = 0
    public var samplesAppended = 0
    public var walBytes = 0
    /// Bytes of head chunks, in memory and in the head chunk files.
    public var chunkBytes = 0
    public var headChunkBytes = 0
    public var blocks = 0
    public var blockBytes = 0
    public var blockSamples = 0
    public var rejected: [AppendRejection: Int] = [:]
    /// Reads of block chunks that failed their checksum (or framing) since start; their samples
    /// were left out of the answers.
    public var damagedChunkReads = 0
    /// Writes to the data directory that failed since start, by file kind (`wal`, `head_chunks`,
    /// `blocks`).
    public var writeFailures: [String: Int] = [:]
    /// Whether the last write failed because the disk is full; false again once a write succeeds.
    public var diskFull = false
    public var minTime: Int64?
    public var maxTime: Int64?
    public var headMinTime: Int64?
    public var headMaxTime: Int64?

    public init() {}
}
