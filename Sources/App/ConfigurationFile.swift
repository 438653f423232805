import Foundation
import PromQL
import Storage
import Yams

/// Reads the YAML configuration file into `SurgeConfiguration`. Unknown keys are errors, so a typo
/// does not silently fall back to a default.
///
/// ```yaml
/// listen: 0.0.0.0:9470
/// data_dir: /var/lib/surge
/// collect: true
/// storage:
///   wal_fsync: never        # or always
///   wal_segment_size: 134217728
/// remote_write:
///   max_decoded_bytes: 33554432
/// query:
///   lookback_delta: 5m
/// ```
public enum ConfigurationFile {
    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public let path: String
        public let line: Int?
        public let message: String

        public var description: String {
            if let line { return "\(path):\(line): \(message)" }
            return "\(path): \(message)"
        }
    }

    public static func load(path: String, into base: SurgeConfiguration = .init()) throws -> SurgeConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Error(path: path, line: nil, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, path: path, into: base)
    }

    public static func parse(_ text: String, path: String, into base: SurgeConfiguration = .init()) throws -> SurgeConfiguration {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return base }
            root = node
        } catch let error as YamlError {
            throw Error(path: path, line: yamlLine(error), message: "invalid YAML: \(error)")
        }
        var config = base
        let top = try mapping(root, path: path, allowed: ["listen", "data_dir", "collect", "storage", "remote_write", "query"])
        func fail(_ node: Node, _ message: String) -> Error {
            Error(path: path, line: node.mark.map { $0.line }, message: message)
        }
        if let node = top["listen"] {
            guard let value = node.string, let listen = HostPort(value) else { throw fail(node, "listen must be host:port") }
            config.listen = listen
        }
        if let node = top["data_dir"] {
            guard let value = node.string, !value.isEmpty else { throw fail(node, "data_dir must be a path") }
            config.dataDirectory = value
        }
        if let node = top["collect"] {
            guard let value = node.bool else { throw fail(node, "collect must be true or false") }
            config.collect = value
        }
        if let node = top["storage"] {
            let storage = try mapping(node, path: path, allowed: ["wal_fsync", "wal_segment_size"])
            if let n = storage["wal_fsync"] {
                guard let value = n.string.flatMap(WALSyncPolicy.init(rawValue:)) else {
                    throw fail(n, "wal_fsync must be one of \(WALSyncPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                config.storage.walSync = value
            }
            if let n = storage["wal_segment_size"] {
                guard let value = n.int, value >= 1 << 16 else { throw fail(n, "wal_segment_size must be an integer of at least 65536") }
                config.storage.walSegmentSize = value
            }
        }
        if let node = top["remote_write"] {
            let section = try mapping(node, path: path, allowed: ["max_decoded_bytes"])
            if let n = section["max_decoded_bytes"] {
                guard let value = n.int, value > 0 else { throw fail(n, "max_decoded_bytes must be a positive integer") }
                config.remoteWriteMaxDecodedBytes = value
            }
        }
        if let node = top["query"] {
            let section = try mapping(node, path: path, allowed: ["lookback_delta"])
            if let n = section["lookback_delta"] {
                guard let value = n.string.flatMap(parseDuration), value > 0 else { throw fail(n, "lookback_delta must be a duration such as 5m") }
                config.lookbackDeltaMilliseconds = value
            }
        }
        return config
    }

    private static func mapping(_ node: Node, path: String, allowed: Set<String>) throws -> [String: Node] {
        guard let map = node.mapping else {
            throw Error(path: path, line: node.mark.map { $0.line }, message: "expected a mapping")
        }
        var out: [String: Node] = [:]
        for (key, value) in map {
            guard let name = key.string, allowed.contains(name) else {
                throw Error(path: path, line: key.mark.map { $0.line },
                            message: "unknown key \(key.string.map { "\"\($0)\"" } ?? "?"); known keys: \(allowed.sorted().joined(separator: ", "))")
            }
            out[name] = value
        }
        return out
    }

    private static func yamlLine(_ error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}
