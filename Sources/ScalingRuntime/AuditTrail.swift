import Foundation
import Scaling
import Synchronization

/// One line of the scaling audit trail: a decision (its inputs and explanation) or an action (the
/// change, the API request and what the API answered).
public struct AuditEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case decision, action }

    public var time: Date
    public var kind: Kind
    public var policy: String
    public var namespace: String
    public var targetKind: String
    public var target: String
    /// "interval" or "arrival" for decisions.
    public var trigger: String?
    public var currentReplicas: Int?
    public var desiredReplicas: Int?
    public var drivenBy: String?
    public var explanation: [String]?
    /// Actions: the outcome (applied, dryRun, refused, notLeader, failed), the request and answer.
    public var outcome: String?
    public var from: Int?
    public var to: Int?
    public var request: String?
    public var status: Int?
    public var message: String?
    public var conflicts: Int?
    public var retries: Int?

    public init(time: Date, kind: Kind, policy: ScalingPolicy) {
        self.time = time
        self.kind = kind
        self.policy = policy.name
        namespace = policy.target.namespace
        targetKind = policy.target.kind
        target = policy.target.name
    }
}

extension AuditEntry {
    /// An entry about a node group: its name stands where a policy's would, its kind is NodeGroup.
    public init(time: Date, kind: Kind, nodeGroup: String) {
        self.time = time
        self.kind = kind
        policy = nodeGroup
        namespace = ""
        targetKind = "NodeGroup"
        target = nodeGroup
    }
}

/// The scaling audit trail: every decision and every action as a JSON line in
/// `DIRECTORY/scaling.jsonl`, rotated at `maxBytes` into `scaling.1.jsonl` ... `scaling.N.jsonl`
/// (the oldest dropped), so it stays within (files + 1) x maxBytes. `surge history` reads it.
public final class AuditTrail: Sendable {
    public let directory: URL
    let maxBytes: Int
    let files: Int
    private let state: Mutex<FileHandle?>

    public init(directory: URL, maxBytes: Int = 8 << 20, files: Int = 4) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.maxBytes = maxBytes
        self.files = files
        state = Mutex(nil)
    }

    static func file(_ directory: URL, _ index: Int) -> URL {
        directory.appendingPathComponent(index == 0 ? "scaling.jsonl" : "scaling.\(index).jsonl")
    }

    /// Appends one entry; a write that fails is dropped (the trail never stops scaling).
    public func record(_ entry: AuditEntry) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(entry) else { return }
        line.append(0x0A)
        state.withLock { handle in
            if handle == nil { handle = open() }
            guard let current = handle else { return }
            if let size = try? current.seekToEnd(), size + UInt64(line.count) > UInt64(maxBytes), size > 0 {
                try? current.close()
                rotate()
                handle = open()
            }
            try? handle?.write(contentsOf: line)
        }
    }

    private func open() -> FileHandle? {
        let url = Self.file(directory, 0)
        if !FileManager.default.fileExists(atPath: url.path) { FileManager.default.createFile(atPath: url.path, contents: nil) }
        let handle = try? FileHandle(forWritingTo: url)
        _ = try? handle?.seekToEnd()
        return handle
    }

    private func rotate() {
        try? FileManager.default.removeItem(at: Self.file(directory, files))
        for index in stride(from: files - 1, through: 0, by: -1) {
            try? FileManager.default.moveItem(at: Self.file(directory, index), to: Self.file(directory, index + 1))
        }
    }

    /// Every entry of the trail in `directory`, oldest first; lines that do not decode are skipped.
    public static func read(directory: URL, files: Int = 16) -> [AuditEntry] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var entries: [AuditEntry] = []
        for index in stride(from: files, through: 0, by: -1) {
            guard let data = try? Data(contentsOf: file(directory, index)) else { continue }
            for line in data.split(separator: 0x0A) {
                if let entry = try? decoder.decode(AuditEntry.self, from: Data(line)) { entries.append(entry) }
            }
        }
        return entries
    }
}
