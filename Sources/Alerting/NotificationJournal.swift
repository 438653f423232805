import Foundation
import Synchronization
import TimeSeriesCore

/// One webhook's notifications on disk: each message waits in `queue/` until the receiver took
/// it, and `log.json` keeps what every group last notified, so neither a receiver that is down
/// nor a restart (or SIGKILL) in between loses a notification or sends one twice. The queue is
/// bounded: past `maxQueued`, the oldest messages that carry only resolved alerts go first, then
/// the oldest; they are counted.
public final class NotificationJournal: Sendable {
    let queue: URL
    let logFile: URL
    let maxQueued: Int
    private let state = Mutex<(sequence: UInt64, dropped: Int)>((0, 0))

    public init(directory: URL, maxQueued: Int = 1000) throws {
        queue = directory.appendingPathComponent("queue")
        logFile = directory.appendingPathComponent("log.json")
        self.maxQueued = max(maxQueued, 1)
        try FileManager.default.createDirectory(at: queue, withIntermediateDirectories: true)
        let last = pendingNames().last.flatMap { UInt64($0.prefix(20)) } ?? 0
        state.withLock { $0.sequence = last }
    }

    /// Messages dropped because the queue was full, since start.
    public var dropped: Int { state.withLock { $0.dropped } }

    /// Queued messages, oldest first.
    public func pending() -> [(name: String, body: String)] {
        pendingNames().compactMap { name in
            (try? String(contentsOf: queue.appendingPathComponent(name), encoding: .utf8)).map { (name, $0) }
        }
    }

    /// Keeps a message until `remove`; `firing` tells whether it carries a firing alert.
    public func enqueue(_ body: String, firing: Bool) throws -> String {
        let sequence = state.withLock { state -> UInt64 in
            state.sequence += 1
            return state.sequence
        }
        let digits = String(sequence)
        let name = String(repeating: "0", count: 20 - digits.count) + digits + (firing ? "-firing" : "-resolved") + ".json"
        try write(Data(body.utf8), to: queue.appendingPathComponent(name))
        trim()
        return name
    }

    public func remove(_ name: String) {
        try? FileManager.default.removeItem(at: queue.appendingPathComponent(name))
    }

    public func loadLog() -> [Labels: NotificationLogEntry] {
        guard let data = try? Data(contentsOf: logFile),
              let entries = try? JSONDecoder().decode([LoggedGroup].self, from: data) else { return [:] }
        return Dictionary(entries.map { (Labels($0.group), $0.entry) }) { $1 }
    }

    public func saveLog(_ log: [Labels: NotificationLogEntry]) throws {
        let entries = log.map { LoggedGroup(group: $0.key.dictionary, entry: $0.value) }
        try write(try JSONEncoder().encode(entries), to: logFile)
    }

    private struct LoggedGroup: Codable {
        var group: [String: String]
        var entry: NotificationLogEntry
    }

    private func pendingNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: queue.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    private func trim() {
        var names = pendingNames()
        while names.count > maxQueued {
            let victim = names.first { $0.contains("-resolved") } ?? names[0]
            remove(victim)
            names.removeAll { $0 == victim }
            state.withLock { $0.dropped += 1 }
        }
    }

    /// Temporary file, fsync, rename: a file is there whole or not at all.
    private func write(_ data: Data, to url: URL) throws {
        let temporary = url.appendingPathExtension("tmp")
        try data.write(to: temporary)
        let handle = try FileHandle(forWritingTo: temporary)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary.path, url.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }
}
