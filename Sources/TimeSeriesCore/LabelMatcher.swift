/// A condition on one label, as in `{job=~"api|web"}`. A missing label matches as the empty string.
public struct LabelMatcher: Sendable, CustomStringConvertible {
    public enum MatchType: String, Sendable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public let name: String
    public let type: MatchType
    public let value: String
    private let regex: AnchoredRegex?

    /// Throws `InvalidRegexError` when a regex matcher's pattern does not compile.
    public init(_ type: MatchType, _ name: String, _ value: String) throws {
        self.name = name
        self.type = type
        self.value = value
        switch type {
        case .equal, .notEqual: regex = nil
        case .regexMatch, .regexNoMatch: regex = try AnchoredRegex(value)
        }
    }

    public func matches(_ candidate: String) -> Bool {
        switch type {
        case .equal: candidate == value
        case .notEqual: candidate != value
        case .regexMatch: regex!.matches(candidate)
        case .regexNoMatch: !regex!.matches(candidate)
        }
    }

    /// For `=` and literal `=~"a|b"`: the only values that can match, for direct index lookups.
    public var exactValues: Set<String>? {
        switch type {
        case .equal: [value]
        case .regexMatch: regex!.alternatives
        case .notEqual, .regexNoMatch: nil
        }
    }

    /// For `=~`: literal text every matching value starts with ("" when there is none).
    public var requiredPrefix: String {
        type == .regexMatch ? regex!.literalPrefix : (type == .equal ? value : "")
    }

    /// Whether the matcher accepts a series that lacks the label entirely.
    public var matchesEmpty: Bool { matches("") }

    public var description: String { "\(name)\(type.rawValue)\(quoted(value))" }
}
