/// YAMLFiles owns reading Surge's YAML files (configuration, policies, snapshots, file_sd target
/// lists): one typed reader over Yams' composed nodes and one error that names the file and line.
import Foundation
import Yams

/// An error in a YAML (or JSON) file, with the line it was found on.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)" }
}

/// Typed access to a composed YAML (or JSON) tree that fails with the file and line of the node.
public struct YAMLReader: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The text of the file at `path`; an unreadable file is an error naming `what` it was to be.
    public static func text(of path: String, what: String) throws(FileError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileError(path: path, line: nil, message: "cannot read \(what): \(error.localizedDescription)")
        }
    }

    public func fail(_ node: Node?, _ message: String) -> FileError {
        FileError(path: path, line: node?.mark.map { $0.line }, message: message)
    }

    /// Every document of the text; a syntax error is thrown with its line.
    public func compose(_ text: String) throws(FileError) -> [Node] {
        do {
            // compose_all ends quietly at a syntax error; the parser's own loop throws it.
            let parser = try Yams.Parser(yaml: text)
            var documents: [Node] = []
            while let document = try parser.nextRoot() { documents.append(document) }
            return documents
        } catch let error as YamlError {
            var line: Int?
            switch error {
            case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): line = mark.line
            default: break
            }
            throw FileError(path: path, line: line, message: "invalid YAML: \(error)")
        } catch {
            throw FileError(path: path, line: nil, message: "invalid YAML: \(error)")
        }
    }

    /// The mapping's entries by key; unknown keys are errors naming the known ones.
    public func mapping(_ node: Node, _ what: String, allowed: Set<String>) throws -> [String: Node] {
        guard let map = node.mapping else { throw fail(node, "\(what) must be a mapping") }
        var out: [String: Node] = [:]
        for (key, value) in map {
            guard let name = key.string, allowed.contains(name) else {
                throw fail(key, "unknown field \(key.string.map { "\"\($0)\"" } ?? "?") in \(what); known fields: \(allowed.sorted().joined(separator: ", "))")
            }
            out[name] = value
        }
        return out
    }

    /// A list; a key left empty (`targets:` with everything under it commented out) is an empty
    /// list, as Prometheus reads it.
    public func sequence(_ node: Node, _ what: String) throws -> [Node] {
        if Self.isNull(node) { return [] }
        guard let items = node.sequence else { throw fail(node, "\(what) must be a list") }
        return Array(items)
    }

    /// A plain `null`, `~` or nothing at all.
    public static func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    public func require(_ map: [String: Node], _ key: String, in what: String, at node: Node) throws -> Node {
        guard let value = map[key] else { throw fail(node, "\(what) needs \"\(key)\"") }
        return value
    }

    public func string(_ node: Node, _ what: String) throws -> String {
        guard let value = node.scalar?.string, node.scalar != nil, !value.isEmpty else { throw fail(node, "\(what) must be a non-empty string") }
        return value
    }

    public func int(_ node: Node, _ what: String, minimum: Int = Int.min) throws -> Int {
        guard let value = node.int, value >= minimum else {
            throw fail(node, minimum == Int.min ? "\(what) must be an integer" : "\(what) must be an integer of at least \(minimum)")
        }
        return value
    }

    public func bool(_ node: Node, _ what: String) throws -> Bool {
        guard let value = node.bool else { throw fail(node, "\(what) must be true or false") }
        return value
    }

    public func number(_ node: Node, _ what: String) throws -> Double {
        guard let value = node.float ?? node.int.map(Double.init), value.isFinite else { throw fail(node, "\(what) must be a number") }
        return value
    }
}
