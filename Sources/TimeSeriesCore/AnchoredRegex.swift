/// A regular expression that must match a whole string, as PromQL's `=~` and `!~` require.
///
/// `@unchecked Sendable`: the wrapped `Regex` is an immutable value that is only read after
/// construction; the compiler cannot see this through `AnyRegexOutput`.
public final class AnchoredRegex: @unchecked Sendable {
    public let pattern: String
    private let regex: Regex<AnyRegexOutput>
    /// A pattern without metacharacters compares as a plain string, the common case for `=~"a|b"`.
    private let alternatives: Set<String>?

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
