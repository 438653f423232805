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
        ParseError("\(what) not supported yet: Surge evaluates selectors, numbers, strings, the functions "
                   + Function.allCases.map(\.rawValue).joined(separator: ", ") + " and the aggregations "
                   + Aggregation.Operator.allCases.map(\.rawValue).joined(separator: ", ") + " for now",
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
                guard let op = Aggregation.Operator(rawValue: lowered) else {
                    throw unsupported("aggregation \(quoted(token.text)) is", at: token)
                }
                return try parseAggregation(op, at: token)
            }
            if peek().kind == .leftParen {
                guard let function = Function(rawValue: token.text) else {
                    throw unsupported("function \(quoted(token.text)) is", at: token)
                }
                return try parseCall(function, at: token)
            }
            _ = advance()
            return try parseModifiers(.vectorSelector(try parseSelector(name: token)))
        default:
            throw error("unexpected \(describe(token))")
        }
    }

    private mutating func parseArguments() throws(ParseError) -> [Expression] {
        guard current.kind == .leftParen else { throw error("unexpected \(describe(current)), expected \"(\"") }
        let open = advance()
        var args: [Expression] = []
        while current.kind != .rightParen {
            args.append(try parseExpression())
            if current.kind == .comma {
                _ = advance()
            } else if current.kind != .rightParen {
                try expectEnd()
                throw error("unclosed left parenthesis", at: open)
            }
        }
        _ = advance()
        return args
    }

    private mutating func parseCall(_ function: Function, at token: Token) throws(ParseError) -> Expression {
        _ = advance()
        let args = try parseArguments()
        guard args.count == 1 else {
            throw error("expected 1 argument(s) in call to \(quoted(function.rawValue)), got \(args.count)", at: token)
        }
        guard case .matrixSelector = args[0] else {
            throw error("expected type range vector in call to function \(quoted(function.rawValue)), got \(args[0].typeName)", at: token)
        }
        return try parseModifiers(.call(function, args))
    }

    private mutating func parseGrouping() throws(ParseError) -> [String] {
        guard current.kind == .leftParen else { throw error("unexpected \(describe(current)) in grouping opts, expected \"(\"") }
        _ = advance()
        var labels: [String] = []
        while current.kind != .rightParen {
            let label = advance()
            guard label.kind == .identifier || label.kind == .string else {
                throw error("unexpected \(describe(label)) in grouping opts, expected label", at: label)
            }
            labels.append(label.text)
            if current.kind == .comma { _ = advance() } else if current.kind != .rightParen {
                throw error("unexpected \(describe(current)) in grouping opts, expected \",\" or \")\"")
            }
        }
        _ = advance()
        return labels
    }

    private mutating func parseAggregation(_ op: Aggregation.Operator, at token: Token) throws(ParseError) -> Expression {
        _ = advance()
        var grouping: [String] = []
        var without = false
        var sawClause = false
        func clause(_ parser: inout Parser) throws(ParseError) {
            let keyword = parser.current.text.lowercased()
            guard parser.current.kind == .identifier, keyword == "by" || keyword == "without" else { return }
            if sawClause { throw parser.error("unexpected \(parser.describe(parser.current)) in aggregation") }
            _ = parser.advance()
            without = keyword == "without"
            grouping = try parser.parseGrouping()
            sawClause = true
        }
        try clause(&self)
        let args = try parseArguments()
        try clause(&self)
        let takesParameter = op == .topk || op == .bottomk
        guard args.count == (takesParameter ? 2 : 1) else {
            throw error("wrong number of arguments for aggregate expression provided, expected \(takesParameter ? 2 : 1), got \(args.count)", at: token)
        }
        let expression = args.last!
        guard expression.typeName == "instant vector" else {
            throw error("expected type instant vector in aggregation expression, got \(expression.typeName)", at: token)
        }
        if takesParameter, case .number = args[0] {} else if takesParameter {
            throw unsupported("a parameter other than a number is", at: token)
        }
        return try parseModifiers(.aggregate(Aggregation(
            op: op, parameter: takesParameter ? args[0] : nil, expression: expression, grouping: grouping, without: without)))
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
