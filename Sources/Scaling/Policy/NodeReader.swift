import Foundation
import TimeSeriesCore
import Yams

/// An error in a policy or snapshot file, with the line it was found on.
public struct PolicyFileError: Error, Sendable, Equatable, CustomStringConvertible {
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
struct NodeReader {
    let path: String

    func fail(_ node: Node?, _ message: String) -> PolicyFileError {
        PolicyFileError(path: path, line: node?.mark.map { $0.line }, message: message)
    }

    func compose(_ text: String) throws -> [Node] {
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
            throw PolicyFileError(path: path, line: line, message: "invalid YAML: \(error)")
        }
    }

    /// The mapping's entries by key; unknown keys are errors naming the known ones.
    func mapping(_ node: Node, _ what: String, allowed: Set<String>) throws -> [String: Node] {
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

    func sequence(_ node: Node, _ what: String) throws -> [Node] {
        guard let items = node.sequence else { throw fail(node, "\(what) must be a list") }
        return Array(items)
    }

    func require(_ map: [String: Node], _ key: String, in what: String, at node: Node) throws -> Node {
        guard let value = map[key] else { throw fail(node, "\(what) needs \"\(key)\"") }
        return value
    }

    func string(_ node: Node, _ what: String) throws -> String {
        guard let value = node.scalar?.string, node.scalar != nil, !value.isEmpty else { throw fail(node, "\(what) must be a non-empty string") }
        return value
    }

    func int(_ node: Node, _ what: String, minimum: Int = Int.min) throws -> Int {
        guard let value = node.int, value >= minimum else {
            throw fail(node, minimum == Int.min ? "\(what) must be an integer" : "\(what) must be an integer of at least \(minimum)")
        }
        return value
    }

    func bool(_ node: Node, _ what: String) throws -> Bool {
        guard let value = node.bool else { throw fail(node, "\(what) must be true or false") }
        return value
    }

    func number(_ node: Node, _ what: String) throws -> Double {
        guard let value = node.float ?? node.int.map(Double.init), value.isFinite else { throw fail(node, "\(what) must be a number") }
        return value
    }

    /// Seconds from "90s", "5m", "1h30m" or a plain number of seconds.
    func seconds(_ node: Node, _ what: String, minimum: Double = 0) throws -> Double {
        let value: Double? = if let number = node.int { Double(number) } else if let number = node.float { number }
            else { node.string.flatMap(parseDuration).map { Double($0) / 1000 } }
        guard let value, value >= minimum else {
            throw fail(node, "\(what) must be a duration such as 30s, 5m or 1h" + (minimum > 0 ? " (at least \(formatDuration(Int64(minimum * 1000))))" : ""))
        }
        return value
    }

    /// A Kubernetes quantity ("500m", "2Gi", 100) in milli-units.
    func quantity(_ node: Node, _ what: String) throws -> Int64 {
        guard let text = node.scalar?.string, let value = Quantity.milliValue(text) else {
            throw fail(node, "\(what) must be a quantity such as 500m, 2, 1k or 2Gi")
        }
        return value
    }

    /// RFC 3339 with an offset, or a local date and time read in `timeZone`.
    func date(_ node: Node, _ what: String, timeZone: TimeZone) throws -> Date {
        guard let text = node.scalar?.string, let date = Self.parseDate(text, timeZone: timeZone) else {
            throw fail(node, "\(what) must be a date such as 2026-11-11T00:00:00+08:00 or 2026-11-11 00:00")
        }
        return date
    }

    static func parseDate(_ text: String, timeZone: TimeZone) -> Date? {
        if let date = RFC3339.date(text) { return date }
        let local = DateFormatter()
        local.locale = Locale(identifier: "en_US_POSIX")
        local.timeZone = timeZone
        for format in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            local.dateFormat = format
            if let date = local.date(from: text) { return date }
        }
        return nil
    }
}
