/// Settings of the time-series database, with the defaults `surge serve` uses.
public struct DatabaseOptions: Sendable, Equatable {
    /// When WAL appends are flushed to disk. Default `.never`: the kernel flushes, as in Prometheus.
    public var walSync: WALSyncPolicy = .never
    /// Size at which a WAL segment is closed and a new one started. Default 128 MiB.
    public var walSegmentSize: Int = 128 << 20

    public init(walSync: WALSyncPolicy = .never, walSegmentSize: Int = 128 << 20) {
        self.walSync = walSync
        self.walSegmentSize = walSegmentSize
    }
}
