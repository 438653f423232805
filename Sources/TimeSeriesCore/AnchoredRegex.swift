/// A regular expression that must match a whole string, as PromQL's `=~` and `!~` require.
///
/// `@unchecked Sendable`: the wrapped `Regex` is an immutable value that is only read after
/// construction; the compiler cannot see this through `AnyRegexOutput`.
public final class AnchoredRegex: @unchecked Sendable {
    public let pattern: String
    private let regex: Regex<AnyRegexOutput>
    /// A pattern without metacharacters compares as a plain string, the common case for `=~"a|b"`.
    public let alternatives: Set<String>?
    /// Literal text every match starts with (`foo` of `foo.*`), for index lookups by prefix.
    public let literalPrefix: String

    public init(_ pattern: String) throws {
        self.pattern = pattern
        do {
            regex = try Regex("(?s:\(pattern))")
        } catch {
            throw InvalidRegexError(pattern: pattern, reason: "\(error)")
        }
        let meta: Set<Character> = ["\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "^", "$"]
        alternatives = pattern.contains(where: meta.contains)
            ? nil : Set(pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init))
        literalPrefix = Self.prefix(of: pattern, meta: meta)
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

    /// The groups of a whole match, the whole string first, with their names; nil without a match.
    public func groups(in candidate: String) -> [(name: String?, value: String)]? {
        guard let match = try? regex.wholeMatch(in: candidate) else { return nil }
        return match.output.map { ($0.name, $0.substring.map(String.init) ?? "") }
    }

    public func matches(_ candidate: String) -> Bool {
        if let alternatives { return alternatives.contains(candidate) }
        return (try? regex.wholeMatch(in: candidate)) != nil
    }
}

public struct InvalidRegexError: Error, CustomStringConvertible, Sendable {
    public let pattern: String
    public let reason: String
    public var description: String { "invalid regular expression \(quoted(pattern)): \(reason)" }
}
