import TimeSeriesCore
import Testing
@testable import PromQL

@Suite struct ParserTests {
    @Test(arguments: [
        ("up", "up"),
        (#"up{job="api"}"#, #"up{job="api"}"#),
        (#"{__name__=~"up|down", job!="x"}"#, #"{__name__=~"up|down", job!="x"}"#),
        (#"http_requests_total{code=~"5..", path!~'/health.*',}"#, #"http_requests_total{code=~"5..", path!~"/health.*"}"#),
        ("rate_limit:sum5m", "rate_limit:sum5m"),
        (":job:rate5m", ":job:rate5m"),
        (":a:b[5m:1m]", ":a:b[5m:1m]"),
        ("rate(:a[5m])", "rate(:a[5m])"),
        ("sum(:a:) by (job)", "sum by (job) (:a:)"),
        ("up[5m]", "up[5m]"),
        ("up[1h30m]", "up[1h30m]"),
        ("up offset 5m", "up offset 5m"),
        ("up offset -1h", "up offset -1h"),
        ("up[90s] offset 1d", "up[1m30s] offset 1d"),
        ("(up)", "(up)"),
        ("up @ 100 offset 5m", "up @ 100 offset 5m"),
        ("rate(up[5m])[1h:1m] @ end()", "rate(up[5m])[1h:1m] @ end()"),
        ("up[10m:]", "up[10m:]"),
        ("a + on(x) group_left(y) b", "a + on(x) group_left(y) b"),
        ("a > bool ignoring(z) b", "a > bool ignoring(z) b"),
        ("count_values(\"v\", up)", #"count_values("v", up)"#),
        ("quantile by (job) (0.9, up)", "quantile by (job) (0.9, up)"),
        ("  up  # a comment\n", "up"),
        ("1.5e3", "1500"),
        ("0x1F", "31"),
        ("-2", "-2"),
        ("Inf", "Inf"),
        ("NaN", "NaN"),
        (#""a\nb""#, #""a\nb""#),
        ("`raw\\n`", #""raw\\n""#),
        (#"{on="x"}"#, #"{on="x"}"#),
        ("sum by (namespace) (rate(x[5m]))", "sum by (namespace) (rate(x[5m]))"),
        ("sum(rate(x[5m])) without (pod)", "sum without (pod) (rate(x[5m]))"),
        ("topk(10, rate(x{a=\"b\"}[1m] offset 1m))", #"topk(10, rate(x{a="b"}[1m] offset 1m))"#),
        ("avg_over_time(x[10m])", "avg_over_time(x[10m])"),
        // A name that would not read back as one keeps its matcher (found by fuzzing the printer).
        (#"{__name__="up"}"#, "up"),
        (#"{__name__="a-b"}"#, #"{__name__="a-b"}"#),
        (#"{__name__="Inf"}"#, #"{__name__="Inf"}"#),
        (#"{__name__="1x", job="a"}"#, #"{__name__="1x", job="a"}"#),
        (#"{__name__="a", __name__=~"a.*"}"#, #"{__name__="a", __name__=~"a.*"}"#),
        ("o + +ignoring", #"o + {__name__="ignoring"}"#),
        (#"x + {__name__="on"}"#, #"x + {__name__="on"}"#),
    ])
    func parsesAndPrints(query: String, printed: String) throws {
        #expect(try Parser.parse(query).description == printed)
    }

    @Test(arguments: [
        ("rate(x)", "expected type range vector in call to function \"rate\", got instant vector"),
        ("rate(x[5m], x[5m])", "expected 1 argument(s) in call to \"rate\", got 2"),
        ("sum(x[5m])", "expected type instant vector in aggregation expression, got range vector"),
        ("topk(x)", "wrong number of arguments for aggregate expression provided, expected 2, got 1"),
        ("sum by (a (x)", "unexpected \"(\" in grouping opts, expected \",\" or \")\""),
    ])
    func badCallsAndAggregationsAreErrors(query: String, message: String) {
        #expect {
            try Parser.parse(query)
        } throws: { error in
            (error as? ParseError)?.message == message
        }
    }

    @Test(arguments: [
        ("1 < 2", "comparisons between scalars must use BOOL modifier", 1, 3),
        ("up and 1", "set operator \"and\" not allowed in binary scalar expression", 1, 4),
        ("1 + on(x) up", "vector matching only allowed between instant vectors", 1, 3),
        ("up + bool up", "bool modifier can only be used on comparison operators", 1, 6),
        ("up or on(a) group_left b", "no grouping allowed for \"or\" operation", 1, 13),
        ("up[5m] + 1", "binary expression must contain only scalar and instant vector types", 1, 8),
        ("-up[5m]", "unary expression only allowed on expressions of type scalar or instant vector", 1, 1),
        ("sum(up) offset 5m", "offset modifier must be preceded by an instant vector selector", 1, 9),
        ("up offset 5m offset 1m", "offset may not be set multiple times", 1, 14),
        ("up @ 1 @ 2", "@ <timestamp> may not be set multiple times", 1, 8),
        ("foo(up)", "unknown function with name \"foo\"", 1, 1),
        ("round()", "expected at least 1 argument(s) in call to \"round\", got 0", 1, 1),
        ("label_join(up)", "expected at least 3 argument(s) in call to \"label_join\", got 1", 1, 1),
        ("count_values(1, up)", "expected type string in aggregation parameter, got scalar", 1, 1),
        ("(up offset 1m)[5m]", "ranges only allowed for vector selectors", 1, 15),
        ("up offset 1m [5m]", "no offset or @ modifiers allowed before a range", 1, 14),
    ])
    func typeErrorsAreReportedAsPrometheusReportsThem(query: String, message: String, line: Int, column: Int) {
        #expect {
            try Parser.parse(query)
        } throws: { error in
            guard let error = error as? ParseError else { return false }
            return error.message.contains(message) && error.line == line && error.column == column
        }
    }

    @Test(arguments: [
        ("", "no expression found in input", 1, 1),
        ("up{", "unexpected end of input in label matching", 1, 4),
        (#"up{job="x""#, "expected \",\" or \"}\"", 1, 11),
        (#"up{job=x}"#, "expected string", 1, 8),
        (#"{job=""}"#, "vector selector must contain at least one non-empty matcher", 1, 1),
        (#"{job=~".*"}"#, "vector selector must contain at least one non-empty matcher", 1, 1),
        (#"up{__name__="x"}"#, "metric name must not be set twice", 1, 4),
        (#"up{job=~"("}"#, "invalid regular expression", 1, 9),
        ("up[5x]", "bad number or duration syntax", 1, 4),
        ("up[0s]", "range selector duration must be greater than 0", 1, 4),
        ("\"unterminated", "unterminated quoted string", 1, 1),
        ("up\n  }", "unexpected \"}\"", 2, 3),
        ("1[5m]", "ranges only allowed for vector selectors", 1, 2),
        ("up offset", "expected duration", 1, 10),
    ])
    func syntaxErrorsCarryPosition(query: String, message: String, line: Int, column: Int) {
        #expect {
            try Parser.parse(query)
        } throws: { error in
            guard let error = error as? ParseError else { return false }
            return error.message.contains(message) && error.line == line && error.column == column
        }
    }

    @Test func stringEscapes() throws {
        guard case .string(let value) = try Parser.parse(#""\x41\u00e9\U0001F600\101\\\"""#) else {
            Issue.record("not a string")
            return
        }
        #expect(value == "Aé😀A\\\"")
    }

    @Test(arguments: [("5m", 300_000 as Int64?), ("1h30m", 5_400_000), ("250ms", 250), ("2w", 1_209_600_000), ("1y", 31_536_000_000),
                      ("30m1h", nil), ("5", nil), ("m", nil), ("1s1s", nil)])
    func durations(text: String, milliseconds: Int64?) {
        #expect(parseDuration(text) == milliseconds)
    }
}

extension ParserTests {
    /// A colon starts a metric name outside brackets only; a label name never holds one.
    @Test(arguments: ["sum by (:a) (up)", #"up{:a="x"}"#, "up[5m::1m]", "up[:5m]"])
    func colonsWhereNamesCannotHaveThem(query: String) {
        #expect(throws: ParseError.self) { try Parser.parse(query) }
    }
}

extension ParserTests {
    /// Parsing is linear in the query: a chain's type and depth are known without walking it, and a
    /// chain of 16,000 terms is refused at the depth bound rather than parsed for seconds.
    @Test func longChainsParseInOnePass() throws {
        let chain = try Parser.parse(Array(repeating: "1", count: 250).joined(separator: "-"))
        #expect(chain.type == .scalar && chain.depth == 250)
        let vectors = Array(repeating: "up", count: 16_000).joined(separator: " or ")
        // 16,000 terms nest 16,000 deep: refused with a clear error rather than overflowing a stack later.
        #expect(throws: ParseError.self) { try Parser.parse(vectors) }
    }

    /// Nesting is bounded, whatever makes it (parentheses, calls, unary minus, operators), and so is
    /// the length of a query.
    @Test(arguments: [
        String(repeating: "(", count: 30_000) + "1" + String(repeating: ")", count: 30_000),
        String(repeating: "abs(", count: 10_000) + "up" + String(repeating: ")", count: 10_000),
        String(repeating: "sum(", count: 10_000) + "up" + String(repeating: ")", count: 10_000),
        String(repeating: "-", count: 50_000) + "1",
        Array(repeating: "1", count: 16_000).joined(separator: "-"),
        "2" + String(repeating: " ^ 2", count: 600),
    ])
    func deepNestingIsRefused(query: String) {
        #expect { try Parser.parse(query) } throws: { "\($0)".contains("expression nested too deeply: more than 256 levels") }
    }

    @Test func nestingUpToTheBoundIsAccepted() throws {
        let depth = Parser.maxDepth - 2
        let nested = String(repeating: "abs(", count: depth) + "up" + String(repeating: ")", count: depth)
        #expect(try Parser.parse(nested).depth == depth + 1)
        #expect(throws: ParseError.self) { try Parser.parse("up{a=\"" + String(repeating: "x", count: Parser.maxLength) + "\"}") }
    }
}
