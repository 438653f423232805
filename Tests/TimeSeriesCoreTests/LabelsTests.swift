import Testing
@testable import TimeSeriesCore

@Suite struct LabelsTests {
    @Test func labelsSortByByteOrderAndDropEmptyValues() {
        let labels = Labels([Label("b", "1"), Label("a", "2"), Label("Z", "3"), Label("empty", "")])
        #expect(labels.pairs.map(\.name) == ["Z", "a", "b"])
        #expect(labels["empty"] == nil)
        #expect(Labels(["__name__": "up", "job": "x"]).description == #"up{job="x"}"#)
        #expect(Labels(["job": "a\"b"]).description == #"{job="a\"b"}"#)
    }

    @Test(arguments: [
        (LabelMatcher.MatchType.equal, "api", "api", true), (.equal, "api", "apix", false),
        (.notEqual, "api", "web", true), (.notEqual, "api", "api", false),
        (.regexMatch, "a.*", "abc", true), (.regexMatch, "b", "abc", false),  // anchored at both ends
        (.regexMatch, "api|web", "web", true), (.regexMatch, "api|web", "webx", false),
        (.regexNoMatch, "a.*", "abc", false), (.regexNoMatch, "a.*", "xa", true),
        (.regexMatch, "", "", true), (.regexMatch, ".+", "", false),
        (.regexMatch, "(?i)API", "api", true), (.regexMatch, "line.end", "line\nend", true),
    ])
    func matchers(type: LabelMatcher.MatchType, pattern: String, candidate: String, matches: Bool) throws {
        #expect(try LabelMatcher(type, "l", pattern).matches(candidate) == matches)
    }

    @Test func invalidRegexIsAnError() {
        #expect(throws: InvalidRegexError.self) { try LabelMatcher(.regexMatch, "l", "(") }
    }

    @Test func staleMarkerIsRecognisedOnlyByItsBits() {
        #expect(StaleNaN.isStale(StaleNaN.value))
        #expect(!StaleNaN.isStale(.nan))
        #expect(Sample(timestamp: 1, value: .nan) != Sample(timestamp: 1, value: StaleNaN.value))
    }
}
