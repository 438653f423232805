import TimeSeriesCore

/// When one scrape job re-reads its discovery and resolves its targets, worked out without I/O.
/// Kubernetes pod watches report changes as they happen; file_sd files are looked at every
/// `filePoll` (re-read when their signature changes, or every refresh interval regardless).
/// Static-only jobs resolve once and then wait for nothing.
public struct ScrapePool: Sendable, Equatable {
    public enum Event: Sendable, Equatable {
        case start
        /// A Kubernetes pod watch changed the discovered pods.
        case kubernetesChanged
        /// The time the pool slept until came.
        case wake
    }

    /// What to do for an event: read the file_sd files again, resolve the targets (relabel and
    /// diff), and when to wake next (nil: only on a Kubernetes change).
    public struct Step: Sendable, Equatable {
        public var readFiles: Bool
        public var resolve: Bool
        public var wakeAt: Timestamp?
    }

    let hasFiles: Bool
    let refresh: Int64
    let filePoll: Int64
    private(set) var signature: [String]?
    private(set) var filesReadAt: Timestamp?

    /// `refresh` is the shortest file_sd `refresh_interval`, in milliseconds.
    public init(hasFiles: Bool, refresh: Int64, filePoll: Int64 = 5000) {
        self.hasFiles = hasFiles
        self.refresh = max(refresh, 1)
        self.filePoll = max(filePoll, 1)
    }

    /// `signature` is the files' current signature (paths, modification times, sizes).
    public mutating func next(_ event: Event, signature current: [String], now: Timestamp) -> Step {
        var readFiles = false
        if hasFiles, signature != current || filesReadAt.map({ now - $0 >= refresh }) ?? true {
            signature = current
            filesReadAt = now
            readFiles = true
        }
        let resolve = readFiles || event != .wake
        return Step(readFiles: readFiles, resolve: resolve, wakeAt: hasFiles ? now + filePoll : nil)
    }
}

/// The targets a job currently has, each with the generation of the loop that scrapes it. A target
/// that leaves and comes back gets a new generation, so its old loop ends and only the new one runs.
public struct TargetGenerations: Sendable, Equatable {
    public private(set) var current: [ScrapeTarget: Int] = [:]
    private var last = 0

    public init() {}

    /// Makes `targets` the wanted set: the ones that need a new loop, with their generation, and
    /// the ones whose loop must end.
    public mutating func replace(with targets: Set<ScrapeTarget>) -> (started: [(ScrapeTarget, Int)], stopped: [ScrapeTarget]) {
        var started: [(ScrapeTarget, Int)] = []
        var next: [ScrapeTarget: Int] = [:]
        for target in targets {
            if let generation = current[target] {
                next[target] = generation
            } else {
                last += 1
                next[target] = last
                started.append((target, last))
            }
        }
        let stopped = current.keys.filter { next[$0] == nil }
        current = next
        return (started, stopped)
    }
}

/// When a target is scraped. Each target keeps a fixed phase within its interval, taken from a
/// stable hash of its identity (FNV-1a of the URL and labels, as Prometheus hashes targets), so
/// targets spread over the interval and keep their phase across restarts.
public struct ScrapeSchedule: Sendable, Equatable {
    public let interval: Int64
    public let phase: Int64

    public init(target: ScrapeTarget) {
        self.init(interval: target.interval.inMilliseconds, hash: Self.hash(target))
    }

    public init(interval: Int64, hash: UInt64) {
        self.interval = max(interval, 1)
        phase = Int64(hash % UInt64(self.interval))
    }

    /// The first scrape time at or after `now`.
    public func first(atOrAfter now: Timestamp) -> Timestamp {
        let offset = ((phase - now % interval) % interval + interval) % interval
        return now + offset
    }

    /// The scrape after the one at `scheduled`; when a scrape overran, the next slot after `now`.
    public func next(after scheduled: Timestamp, now: Timestamp) -> Timestamp {
        let next = scheduled + interval
        return next > now ? next : first(atOrAfter: now + 1)
    }

    /// FNV-1a (64-bit) of the target's URL and sorted labels.
    public static func hash(_ target: ScrapeTarget) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            hash ^= 0xff
            hash = hash &* 0x0000_0100_0000_01b3
        }
        add(target.url)
        for (name, value) in target.labels.sorted(by: { $0.key < $1.key }) {
            add(name)
            add(value)
        }
        return hash
    }
}
