/// One `remote_write` receiver's queue, in Prometheus' `queue_config` terms: per shard at most
/// `capacity` samples waiting, between `minShards` and `maxShards` shards sending at once, batches of
/// at most `maxSamplesPerSend` sent when full or `batchSendDeadline` old, and failed sends retried
/// after a backoff doubling from `minBackoff` up to `maxBackoff`.
public struct RemoteWriteQueueSettings: Sendable, Equatable {
    public var capacity = 2500
    public var maxShards = 200
    public var minShards = 1
    public var maxSamplesPerSend = 500
    public var batchSendDeadline: Duration = .seconds(5)
    public var minBackoff: Duration = .milliseconds(30)
    public var maxBackoff: Duration = .seconds(5)
    /// Whether 429 is retried (the remote-write specification asks for it) or the batch dropped.
    public var retryOnHTTP429 = true

    public init() {}
}

/// What to do after a send, as the remote-write specification says: 2xx is done; 5xx, 429 (when
/// retried) and failures to get an answer are tried again after a backoff (or the receiver's
/// `Retry-After`); other 4xx mean the receiver will never take the batch, which is dropped and counted.
public enum SendOutcome: Sendable, Equatable {
    case sent
    case retry(after: Duration)
    case drop(reason: String)
}

/// Backoff between attempts of one batch: doubling from the minimum, never above the maximum; a
/// receiver's `Retry-After` wins when it asks for longer.
public struct SendAttempts: Sendable, Equatable {
    public let settings: RemoteWriteQueueSettings
    public private(set) var attempts = 0
    public private(set) var nextBackoff: Duration

    public init(settings: RemoteWriteQueueSettings) {
        self.settings = settings
        nextBackoff = settings.minBackoff
    }

    /// The outcome of an answer (`status` nil: no answer, a connection or timeout failure).
    public mutating func outcome(status: Int?, retryAfterSeconds: Double? = nil) -> SendOutcome {
        attempts += 1
        switch status {
        case .some(200..<300):
            return .sent
        case .some(429) where !settings.retryOnHTTP429:
            return .drop(reason: "429 from the receiver, and retry_on_http_429 is off")
        case .some(let code) where (400..<500).contains(code) && code != 429:
            return .drop(reason: "\(code) from the receiver: it will not take this batch")
        default:
            var wait = nextBackoff
            if let retryAfterSeconds, retryAfterSeconds > 0 {
                wait = max(wait, .milliseconds(Int64(retryAfterSeconds * 1000)))
            }
            nextBackoff = min(nextBackoff * 2, settings.maxBackoff)
            return .retry(after: wait)
        }
    }
}
