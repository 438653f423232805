import TimeSeriesCore

/// One shard's waiting samples, cut into batches as Prometheus' shards cut them: a batch goes when
/// it holds `maxSamplesPerSend` samples, or when its oldest sample has waited `batchSendDeadline`.
/// A shard holds at most `capacity` samples; beyond that `offer` refuses, and the reader waits.
public struct SendBatcher<Item: Sendable>: Sendable {
    public let settings: RemoteWriteQueueSettings
    public private(set) var waiting: [Item] = []
    /// When the oldest waiting item arrived, in milliseconds.
    public private(set) var oldest: Timestamp?

    public init(settings: RemoteWriteQueueSettings) {
        self.settings = settings
    }

    /// Takes an item unless the shard is full.
    public mutating func offer(_ item: Item, at now: Timestamp) -> Bool {
        guard waiting.count < settings.capacity else { return false }
        if waiting.isEmpty { oldest = now }
        waiting.append(item)
        return true
    }

    /// The batch to send now, if one is due: a full one, or whatever waits past the deadline.
    public mutating func due(at now: Timestamp) -> [Item]? {
        let deadline = settings.batchSendDeadline.inMilliseconds
        guard waiting.count >= settings.maxSamplesPerSend || (oldest.map { now - $0 >= deadline } ?? false) else { return nil }
        let batch = Array(waiting.prefix(settings.maxSamplesPerSend))
        waiting.removeFirst(batch.count)
        oldest = waiting.isEmpty ? nil : now
        return batch
    }
}
