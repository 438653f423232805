import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Failed writes to the data directory, by the kind of file, and whether the disk is full now.
/// A full disk is logged when it starts and when writes succeed again, not at every write.
final class DiskWrites: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        case wal
        case headChunks = "head_chunks"
        case blocks
    }

    /// Whether any kind's last write failed for want of space; read at every write, so atomic.
    private let full = Atomic<Bool>(false)
    private struct State {
        var failures: [Kind: Int] = [:]
        /// Kinds whose last write failed for want of space.
        var noSpace: Set<Kind> = []
    }
    private let state = Mutex(State())
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    var isFull: Bool { full.load(ordering: .relaxed) }
    var failuresByKind: [Kind: Int] { state.withLock { $0.failures } }

    func failed(_ kind: Kind, _ error: any Error) {
        let noSpace = Self.isNoSpace(error)
        let episodeStarts = state.withLock { state in
            state.failures[kind, default: 0] += 1
            guard noSpace else { return false }
            let wasFull = !state.noSpace.isEmpty
            state.noSpace.insert(kind)
            full.store(true, ordering: .relaxed)
            return !wasFull
        }
        if episodeStarts {
            logger.error("the disk is full: storage writes fail; acknowledged samples stay queryable, new writes are refused until space is freed",
                         metadata: ["file": "\(kind.rawValue)", "error": "\(error)"])
        } else if !noSpace {
            logger.error("a storage write failed", metadata: ["file": "\(kind.rawValue)", "error": "\(error)"])
        }
    }

    /// Called after a write of `kind` reached the disk; the episode ends when every kind that
    /// failed for want of space has written again.
    func succeeded(_ kind: Kind) {
        guard full.load(ordering: .relaxed) else { return }
        let episodeEnds = state.withLock { state in
            guard state.noSpace.remove(kind) != nil, state.noSpace.isEmpty else { return false }
            full.store(false, ordering: .relaxed)
            return true
        }
        if episodeEnds { logger.notice("storage writes succeed again after the disk was full") }
    }

    static func isNoSpace(_ error: any Error) -> Bool {
        let code = (error as? StorageIOError)?.code ?? (error as? WALError)?.errno
        return code == ENOSPC || code == EDQUOT
    }
}

/// Writes under the listed directories fail as on a full disk, after writing part of what they
/// were given, as a real one does when its last blocks fill. For tests of what storage does then;
/// nothing else lists a directory, and an unlisted write costs one atomic load.
enum DiskFaults {
    private static let active = Atomic<Bool>(false)
    private static let directories = Mutex<Set<String>>([])

    static func setFull(_ directory: String, _ isFull: Bool) {
        directories.withLock { set in
            if isFull { set.insert(directory) } else { set.remove(directory) }
            active.store(!set.isEmpty, ordering: .relaxed)
        }
    }

    /// How many of `count` bytes a write to `path` may write before failing with ENOSPC, or nil
    /// when it may write them all.
    static func allowance(_ path: String, _ count: Int) -> Int? {
        guard active.load(ordering: .relaxed) else { return nil }
        let listed = directories.withLock { set in set.contains { path.hasPrefix($0 + "/") } }
        return listed ? count / 2 : nil
    }
}
