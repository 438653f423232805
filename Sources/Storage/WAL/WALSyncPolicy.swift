/// When the WAL asks the kernel to put written records on disk.
public enum WALSyncPolicy: String, Sendable, CaseIterable {
    /// `fsync` after every append, before it is acknowledged: survives power loss, costs a disk flush.
    case always
    /// Leave flushing to the kernel: acknowledged data survives a crash or kill of Surge, as in
    /// Prometheus, but not necessarily a power loss.
    case never
}
