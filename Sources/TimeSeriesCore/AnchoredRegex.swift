import CRE2

/// A regular expression that must match a whole string, as PromQL's `=~` and `!~` and relabeling
/// require. It is RE2 (the engine of Go's regexp, and so of Prometheus), anchored as Prometheus
/// anchors it, `^(?s:pattern)$`: matching takes time linear in the text, and back-references and
/// look-arounds are refused. Plain alternatives, `.*`, `.+` and a literal prefix before `.*` are
/// answered without RE2.
///
/// `@unchecked Sendable`: the compiled RE2 object is immutable after construction, and RE2
/// documents its matching as safe from many threads at once.
public final class AnchoredRegex: @unchecked Sendable {
    public let pattern: String
    private let compiled: OpaquePointer
    private let groupNames: [String?]
    /// A pattern without metacharacters compares as a plain string, the common case for `=~"a|b"`.
    public let alternatives: Set<String>?
    /// Literal text every match starts with (`foo` of `foo.*`), for index lookups by prefix.
    public let literalPrefix: String
    private let shortcut: Shortcut?

    /// Patterns answered without running RE2.
    enum Shortcut: Equatable {
        case anything
        case nonEmpty
        case prefix(String)
    }

    public init(_ pattern: String) throws {
        self.pattern = pattern
        // The pattern must stand on its own (as Prometheus parses it before anchoring), so a stray
        // parenthesis cannot reach past the anchors.
        surge_re2_delete(try Self.compile(pattern, reportedAs: pattern))
        let compiled = try Self.compile("^(?s:\(pattern))$", reportedAs: pattern)
        self.compiled = compiled
        groupNames = (0...Int(surge_re2_group_count(compiled))).map { index in
            surge_re2_group_name(compiled, Int32(index)).map { String(cString: $0) }
        }
        let meta: Set<Character> = ["\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "^", "$"]
        alternatives = pattern.contains(where: meta.contains)
            ? nil : Set(pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init))
        literalPrefix = Self.prefix(of: pattern, meta: meta)
        shortcut = Self.shortcut(pattern, meta: meta)
    }

    private static func compile(_ text: String, reportedAs pattern: String) throws -> OpaquePointer {
        var error: UnsafeMutablePointer<CChar>?
        guard let compiled = text.withCString({ surge_re2_new($0, text.utf8.count, &error) }) else {
            let reason = error.map { String(cString: $0) } ?? "does not compile"
            surge_re2_free_error(error)
            throw InvalidRegexError(pattern: pattern, reason: reason)
        }
        return compiled
    }

    deinit {
        surge_re2_delete(compiled)
    }

    private static func prefix(of pattern: String, meta: Set<Character>) -> String {
        guard !pattern.contains("|") else { return "" }
        var prefix = ""
        var rest = pattern[...]
        while let first = rest.first, !meta.contains(first) {
            prefix.append(first)
            rest = rest.dropFirst()
        }
        // A quantifier after the literal makes its last character optional.
        if let next = rest.first, "*?{".contains(next), !prefix.isEmpty { prefix.removeLast() }
        return prefix
    }

    static func shortcut(_ pattern: String, meta: Set<Character>) -> Shortcut? {
        if pattern == ".*" { return .anything }
        if pattern == ".+" { return .nonEmpty }
        if pattern.hasSuffix(".*"), !pattern.contains("|") {
            let literal = pattern.dropLast(2)
            if !literal.isEmpty, !literal.contains(where: meta.contains) { return .prefix(String(literal)) }
        }
        return nil
    }

    /// The groups of a whole match, the whole string first, with their names; nil without a match.
    /// A group that took no part in the match is empty, as Go's `Regexp.ExpandString` sees it.
    public func groups(in candidate: String) -> [(name: String?, value: String)]? {
        var offsets = [Int](repeating: -1, count: 2 * groupNames.count)
        let matched = Self.withText(candidate) { text, count in
            offsets.withUnsafeMutableBufferPointer { buffer in
                surge_re2_match_groups(compiled, text, count, buffer.baseAddress, Int32(groupNames.count))
            }
        }
        guard matched != 0 else { return nil }
        let bytes = Array(candidate.utf8)
        return groupNames.indices.map { index in
            let (start, end) = (offsets[2 * index], offsets[2 * index + 1])
            guard start >= 0, end >= start, end <= bytes.count else { return (groupNames[index], "") }
            return (groupNames[index], String(decoding: bytes[start..<end], as: UTF8.self))
        }
    }

    public func matches(_ candidate: String) -> Bool {
        if let alternatives { return alternatives.contains(candidate) }
        switch shortcut {
        case .anything?: return true
        case .nonEmpty?: return !candidate.isEmpty
        case .prefix(let literal)?: return candidate.utf8.starts(with: literal.utf8)
        case nil: break
        }
        return Self.withText(candidate) { text, count in surge_re2_match(compiled, text, count) } != 0
    }

    /// The string's UTF-8 bytes as RE2 reads them: a valid address even for an empty string.
    private static func withText<R>(_ string: String, _ body: (UnsafePointer<CChar>, Int) -> R) -> R {
        var string = string
        return string.withUTF8 { text in
            if let base = text.baseAddress {
                return base.withMemoryRebound(to: CChar.self, capacity: text.count) { body($0, text.count) }
            }
            var zero: CChar = 0
            return withUnsafePointer(to: &zero) { body($0, 0) }
        }
    }
}

public struct InvalidRegexError: Error, CustomStringConvertible, Sendable {
    public let pattern: String
    public let reason: String
    public var description: String { "invalid regular expression \(quoted(pattern)): \(reason)" }
}
