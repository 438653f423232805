import Testing
@testable import TimeSeriesCore

/// Regular expressions as Prometheus has them: Go's RE2 syntax and semantics, anchored as
/// `^(?s:pattern)$`, in time linear in the text.
@Suite struct AnchoredRegexTests {
    @Test(arguments: [
        // (pattern, text, matches)
        ("a.*", "abc", true), ("b", "abc", false), ("abc|", "", true), ("", "", true), ("", "x", false),
        ("line.end", "line\nend", true),                       // (?s): the dot matches a newline
        (#"\d+"#, "123", true), (#"\d+"#, "١٢٣", false),       // \d is ASCII only, as in Go
        ("(?i)straße", "STRASSE", false), ("(?i)é", "É", true), // simple case folding, no expansion
        (".", "é", true), (".", "e\u{301}", false),             // the dot is one code point, not a grapheme
        ("a{2,3}", "aaa", true), ("a{2,3}", "aaaa", false),
        (#"\pL+"#, "Größe", true), (#"[[:alpha:]]+"#, "abc", true),
        ("(?P<x>a)b", "ab", true),
        ("x.*", "x", true), ("x.*", "xyz", true), ("x.*", "yx", false), (".+", "", false), (".*", "", true),
        ("e\u{301}.*", "é", false),                             // a literal prefix compares bytes
    ] as [(String, String, Bool)])
    func matchesAsPrometheus(pattern: String, text: String, expected: Bool) throws {
        #expect(try AnchoredRegex(pattern).matches(text) == expected)
    }

    @Test(arguments: [#"(a)\1"#, "a)|(b", "(?=a)a", "(?!a)b", "(?<=a)b", "a++", "(", "[z-a]", "x{1001}", #"\Q"#])
    func refusesWhatGoRefuses(pattern: String) {
        #expect(throws: InvalidRegexError.self) { try AnchoredRegex(pattern) }
    }

    /// `(a+)+b` against a long run of `a` takes a backtracking engine exponential time; RE2 answers
    /// in one pass. The test does not time itself: with backtracking it would not finish.
    @Test func pathologicalPatternsAreLinear() throws {
        let regex = try AnchoredRegex("(a+)+b")
        #expect(!regex.matches(String(repeating: "a", count: 100_000)))
        #expect(regex.matches(String(repeating: "a", count: 100_000) + "b"))
        let nested = try AnchoredRegex("(x+x+)+y")
        #expect(!nested.matches(String(repeating: "x", count: 50_000)))
    }

    @Test func groupsFeedTheReplacementTemplates() throws {
        let regex = try AnchoredRegex("(?P<host>[^:]+):(\\d+)(x)?")
        let groups = try #require(regex.groups(in: "web-1:8080"))
        #expect(groups.map(\.value) == ["web-1:8080", "web-1", "8080", ""])
        #expect(groups.map(\.name) == [nil, "host", nil, nil])
        #expect(AnchoredRegex.expand("${host} on $2$3", groups) == "web-1 on 8080")
        #expect(regex.groups(in: "no port") == nil)
        #expect(try AnchoredRegex("(.*)").groups(in: "")?.map(\.value) == ["", ""])
        #expect(try AnchoredRegex("(é+)(.)").groups(in: "ééx")?.map(\.value) == ["ééx", "éé", "x"])
    }
}
