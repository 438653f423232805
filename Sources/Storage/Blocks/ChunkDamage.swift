import Logging
import Synchronization

/// Block chunks that failed their checksum (or framing) when read, for the whole database: their
/// samples are left out of answers and merges. Counted for /metrics; each damaged block is logged
/// once, whichever query or merge found it.
final class ChunkDamage: Sendable {
    private let reads = Atomic<Int>(0)
    private let reported = Mutex<Set<String>>([])
    private let logger: Logger?

    init(logger: Logger? = nil) {
        self.logger = logger
    }

    var total: Int { reads.load(ordering: .relaxed) }

    func record(block: String) {
        reads.add(1, ordering: .relaxed)
        if reported.withLock({ $0.insert(block).inserted }) {
            logger?.error("block chunks failed their checksum; their samples are left out of answers and merges",
                          metadata: ["block": "\(block)"])
        }
    }
}
