import TimeSeriesCore

/// Parses PromQL. The full grammar is recognised so that valid queries Surge cannot evaluate yet
/// (operators, functions, aggregations, subqueries, `@`) fail with a clear "not supported yet"
/// instead of a confusing syntax error or a wrong result.
public struct Parser {
    private let query: String
    private let tokens: [Token]
    private var index = 0

    static let aggregations: Set<String> = [
        "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
    ]
    static let binaryKeywords: Set<String> = ["and", "or", "unless"]

    public static func parse(_ query: String) throws(ParseError) -> Expression {
        var parser = Parser(query: query, tokens: try Lexer.tokenize(query))
        guard parser.current.kind != .end else {
            throw ParseError("no expression found in input", at: 0, in: query)
        }
        let expression = try parser.parseExpression()
        try parser.expectEnd()
        return expression
    }

    private init(query: String, tokens: [Token]) {
        self.query = query
        self.tokens = tokens
    }

    private var current: Token { tokens[index] }
    private func peek(_ ahead: Int = 1) -> Token { tokens[min(index + ahead, tokens.count - 1)] }
    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func error(_ message: String, at token: Token? = nil) -> ParseError {
        ParseError(message, at: (token ?? current).offset, in: query)
    }

    private func unsupported(_ what: String, at token: Token) -> ParseError {
        ParseError("\(what) not supported yet: Surge evaluates vector and range selectors, numbers and strings for now",
                   at: token.offset, in: query, unsupported: true)
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .end: "end of input"
        case .string: "string \(quoted(token.text))"
        case .number: "number \(quoted(token.text))"
        case .duration: "duration \(quoted(token.text))"
        case .identifier: "identifier \(quoted(token.text))"
        default: quoted(token.text)
        }
    }

    private mutating func expectEnd() throws(ParseError) {
        let token = current
        switch token.kind {
        case .end: return
        case .operatorSymbol: throw unsupported("binary operator \(quoted(token.text)) is", at: token)
        case .identifier where Self.binaryKeywords.contains(token.text.lowercased()):
            throw unsupported("binary operator \(quoted(token.text)) is", at: token)
        case .at: throw unsupported("the @ modifier is", at: token)
        default: throw error("unexpected \(describe(token))")
        }
    }

    private mutating func parseExpression() throws(ParseError) -> Expression {
        let token = current
        switch token.kind {
        case .operatorSymbol where token.text == "-" || token.text == "+":
            _ = advance()
            let operand = try parseExpression()
            guard case .number(let value) = operand else { throw unsupported("unary \(quoted(token.text)) on a vector is", at: token) }
            return .number(token.text == "-" ? -value : value)
        case .number:
            _ = advance()
            return try parseModifiers(.number(try number(token)))
        case .string:
            _ = advance()
            return try parseModifiers(.string(token.text))
        case .leftParen:
            _ = advance()
            let inner = try parseExpression()
            if current.kind != .rightParen { try expectEnd() }
            guard current.kind == .rightParen else { throw error("unclosed left parenthesis", at: token) }
            _ = advance()
            return try parseModifiers(inner)
        case .leftBrace:
            return try parseModifiers(.vectorSelector(try parseSelector(name: nil)))
        case .identifier:
            let lowered = token.text.lowercased()
            if lowered == "inf" || lowered == "nan" {
                _ = advance()
                return .number(lowered == "inf" ? .infinity : .nan)
            }
            if Self.aggregations.contains(lowered) && (peek().kind == .leftParen || ["by", "without"].contains(peek().text.lowercased())) {
                throw unsupported("aggregation \(quoted(token.text)) is", at: token)
            }
            if peek().kind == .leftParen {
                throw unsupported("function \(quoted(token.text)) is", at: token)
            }
            _ = advance()
            return try parseModifiers(.vectorSelector(try parseSelector(name: token)))
        default:
            throw error("unexpected \(describe(token))")
        }
    }

    private func number(_ token: Token) throws(ParseError) -> Double {
        let text = token.text
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            guard let value = UInt64(text.dropFirst(2), radix: 16) else { throw error("bad number \(quoted(text))", at: token) }
            return Double(value)
        }
        guard let value = Double(text) else { throw error("bad number \(quoted(text))", at: token) }
        return value
    }

    private mutating func parseSelector(name nameToken: Token?) throws(ParseError) -> VectorSelector {
        var matchers: [LabelMatcher] = []
        let start = nameToken ?? current
        if let nameToken {
            matchers.append(try makeMatcher(.equal, metricNameLabel, nameToken.text, at: nameToken))
        }
        if current.kind == .leftBrace {
            _ = advance()
            while current.kind != .rightBrace {
                let label = current
                guard label.kind == .identifier || label.kind == .string else {
                    throw error("unexpected \(describe(label)) in label matching, expected label name")
                }
                if label.kind == .identifier && label.text.contains(":") {
                    throw error("invalid label name \(quoted(label.text))", at: label)
                }
                _ = advance()
                let op = advance()
                let type: LabelMatcher.MatchType
                switch op.kind {
                case .equal: type = .equal
                case .notEqual: type = .notEqual
                case .regexMatch: type = .regexMatch
                case .regexNoMatch: type = .regexNoMatch
                default: throw error("unexpected \(describe(op)) in label matching, expected one of \"=\", \"!=\", \"=~\", \"!~\"", at: op)
                }
                let value = advance()
                guard value.kind == .string else {
                    throw error("unexpected \(describe(value)) in label matching, expected string", at: value)
                }
                if nameToken != nil && label.text == metricNameLabel {
                    throw error("metric name must not be set twice: \(quoted(nameToken!.text)) or \(quoted(value.text))", at: label)
                }
                matchers.append(try makeMatcher(type, label.text, value.text, at: value))
                if current.kind == .comma {
                    _ = advance()
                } else if current.kind != .rightBrace {
                    throw error("unexpected \(describe(current)) in label matching, expected \",\" or \"}\"")
                }
            }
            _ = advance()
        }
        guard matchers.contains(where: { !$0.matchesEmpty }) else {
            throw error("vector selector must contain at least one non-empty matcher", at: start)
        }
        let name = matchers.first { $0.name == metricNameLabel && $0.type == .equal }?.value
        return VectorSelector(name: name, matchers: matchers)
    }

    private func makeMatcher(_ type: LabelMatcher.MatchType, _ name: String, _ value: String, at token: Token) throws(ParseError) -> LabelMatcher {
        do {
            return try LabelMatcher(type, name, value)
        } catch {
            throw self.error("\(error)", at: token)
        }
    }

    /// Range `[5m]`, `offset`, and the modifiers that are recognised but not yet evaluated.
    private mutating func parseModifiers(_ expression: Expression) throws(ParseError) -> Expression {
        var result = expression
        if current.kind == .leftBracket {
            let bracket = advance()
            let duration = advance()
            guard duration.kind == .duration, let range = parseDuration(duration.text) else {
                throw error("unexpected \(describe(duration)) in range selector, expected duration", at: duration)
            }
            if current.kind == .colon { throw unsupported("subqueries are", at: bracket) }
            guard current.kind == .rightBracket else { throw error("unexpected \(describe(current)), expected \"]\"") }
            _ = advance()
            guard case .vectorSelector(let selector) = result else {
                throw error("ranges only allowed for vector selectors", at: bracket)
            }
            guard range > 0 else { throw error("range selector duration must be greater than 0", at: duration) }
            result = .matrixSelector(selector, range: range)
        }
        if current.kind == .identifier && current.text.lowercased() == "offset" {
            let keyword = advance()
            var sign: Int64 = 1
            if current.kind == .operatorSymbol && current.text == "-" {
                sign = -1
                _ = advance()
            }
            let duration = advance()
            guard duration.kind == .duration, let amount = parseDuration(duration.text) else {
                throw error("unexpected \(describe(duration)) in offset, expected duration", at: duration)
            }
            switch result {
            case .vectorSelector(var selector):
                selector.offset = sign * amount
                result = .vectorSelector(selector)
            case .matrixSelector(var selector, let range):
                selector.offset = sign * amount
                result = .matrixSelector(selector, range: range)
            default:
                throw error("offset modifier must be preceded by an instant vector selector or range vector selector", at: keyword)
            }
        }
        return result
    }
}
