import TimeSeriesCore

/// Parses PromQL: selectors, literals, functions, aggregations, binary operators with
/// Prometheus' precedence and vector matching, unary minus, subqueries, `offset` and `@`.
/// Types are checked as Prometheus checks them, with the same messages.
public struct Parser {
    private let query: String
    private let tokens: [Token]
    private var index = 0
    /// How deeply the parser has recursed.
    private var depth = 0

    /// The deepest an expression may nest (parentheses, calls, unary operators and chains of binary
    /// operations all count): evaluation recurses as deep as the tree, so the bound keeps any query
    /// from overflowing a thread's stack. Real queries nest a few dozen levels at most.
    public static let maxDepth = 256
    /// The longest query accepted, in bytes.
    public static let maxLength = 1 << 20

    static let aggregations: Set<String> = Set(Aggregation.Operator.allCases.map(\.rawValue))

    public static func parse(_ query: String) throws(ParseError) -> Expression {
        guard query.utf8.count <= maxLength else {
            throw ParseError("query too long: \(query.utf8.count) bytes, more than \(maxLength)", at: 0, in: query)
        }
        var parser = Parser(query: query, tokens: try Lexer.tokenize(query))
        guard parser.current.kind != .end else {
            throw ParseError("no expression found in input", at: 0, in: query)
        }
        let expression = try parser.parseExpression(minimumPrecedence: 0)
        guard parser.current.kind == .end else {
            throw parser.error("unexpected \(parser.describe(parser.current))")
        }
        return expression
    }

    /// Why `query` does not parse, or nil: what rule and policy files are checked with.
    public static func problem(in query: String) -> String? {
        do {
            _ = try parse(query)
            return nil
        } catch {
            return "\(error)"
        }
    }

    private init(query: String, tokens: [Token]) {
        self.query = query
        self.tokens = tokens
    }

    private var current: Token { tokens[index] }
    private func peek(_ ahead: Int = 1) -> Token { tokens[min(index + ahead, tokens.count - 1)] }
    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func error(_ message: String, at token: Token? = nil) -> ParseError {
        ParseError(message, at: (token ?? current).offset, in: query)
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

    private func isKeyword(_ token: Token, _ word: String) -> Bool {
        token.kind == .identifier && token.text.lowercased() == word
    }

    // MARK: Binary operators

    private func binaryOperator(_ token: Token) -> BinaryOperation.Operator? {
        switch token.kind {
        case .operatorSymbol: BinaryOperation.Operator(rawValue: token.text)
        case .notEqual: .notEqual
        case .identifier:
            switch token.text.lowercased() {
            case "and": .and
            case "or": .or
            case "unless": .unless
            case "atan2": .atan2
            default: nil
            }
        default: nil
        }
    }

    private mutating func parseExpression(minimumPrecedence: Int) throws(ParseError) -> Expression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw error("expression nested too deeply: more than \(Self.maxDepth) levels") }
        var lhs = try parseUnary()
        while let op = binaryOperator(current), op.precedence >= minimumPrecedence {
            let opToken = advance()
            var returnBool = false
            if isKeyword(current, "bool") {
                guard op.isComparison else { throw error("bool modifier can only be used on comparison operators") }
                advance()
                returnBool = true
            }
            var matching = BinaryOperation.Matching()
            if op.isSetOperator { matching.cardinality = .manyToMany }
            if isKeyword(current, "on") || isKeyword(current, "ignoring") {
                matching.on = isKeyword(current, "on")
                matching.explicit = true
                advance()
                matching.labels = try parseLabelList(context: "grouping opts")
                if isKeyword(current, "group_left") || isKeyword(current, "group_right") {
                    let group = advance()
                    if op.isSetOperator { throw error("no grouping allowed for \(quoted(op.rawValue)) operation", at: group) }
                    matching.cardinality = isKeyword(group, "group_left") ? .manyToOne : .oneToMany
                    if current.kind == .leftParen { matching.include = try parseLabelList(context: "grouping opts") }
                }
            }
            let rhs = try parseExpression(minimumPrecedence: op.isRightAssociative ? op.precedence : op.precedence + 1)
            lhs = try makeBinary(op, lhs, rhs, returnBool: returnBool, matching: matching, at: opToken)
        }
        return lhs
    }

    private func makeBinary(_ op: BinaryOperation.Operator, _ lhs: Expression, _ rhs: Expression, returnBool: Bool,
                            matching: BinaryOperation.Matching, at token: Token) throws(ParseError) -> Expression {
        for side in [lhs, rhs] where side.type != .scalar && side.type != .vector {
            throw error("binary expression must contain only scalar and instant vector types", at: token)
        }
        let bothVectors = lhs.type == .vector && rhs.type == .vector
        if op.isComparison && !returnBool && lhs.type == .scalar && rhs.type == .scalar {
            throw error("comparisons between scalars must use BOOL modifier", at: token)
        }
        if op.isSetOperator && !bothVectors {
            throw error("set operator \(quoted(op.rawValue)) not allowed in binary scalar expression", at: token)
        }
        if !bothVectors && (matching.explicit || matching.cardinality == .manyToOne || matching.cardinality == .oneToMany) {
            throw error("vector matching only allowed between instant vectors", at: token)
        }
        if matching.on {
            for label in matching.include where matching.labels.contains(label) {
                throw error("label \(quoted(label)) must not occur in ON and GROUP clause at once", at: token)
            }
        }
        let operation = BinaryOperation(op: op, lhs: lhs, rhs: rhs, returnBool: returnBool, matching: matching)
        guard operation.depth <= Self.maxDepth else {
            throw error("expression nested too deeply: more than \(Self.maxDepth) levels", at: token)
        }
        return .binary(operation)
    }

    /// Unary minus and plus bind like multiplication: `-a ^ b` is `-(a ^ b)`, `-a * b` is `(-a) * b`.
    private mutating func parseUnary() throws(ParseError) -> Expression {
        let token = current
        guard token.kind == .operatorSymbol, token.text == "-" || token.text == "+" else {
            return try parsePostfix(try parsePrimary())
        }
        advance()
        let operand = try parseExpression(minimumPrecedence: BinaryOperation.Operator.power.precedence)
        guard operand.type == .scalar || operand.type == .vector else {
            throw error("unary expression only allowed on expressions of type scalar or instant vector, got \(quoted(operand.typeName))", at: token)
        }
        if token.text == "+" { return operand }
        if case .number(let value) = operand { return .number(-value) }
        return .negate(operand)
    }

    // MARK: Primary expressions

    private mutating func parsePrimary() throws(ParseError) -> Expression {
        let token = current
        switch token.kind {
        case .number:
            advance()
            return .number(try number(token))
        case .string:
            advance()
            return .string(token.text)
        case .leftParen:
            advance()
            let inner = try parseExpression(minimumPrecedence: 0)
            guard current.kind == .rightParen else {
                if current.kind == .end { throw error("unclosed left parenthesis", at: token) }
                throw error("unexpected \(describe(current))")
            }
            advance()
            return .parenthesized(inner)
        case .leftBrace:
            return .vectorSelector(try parseSelector(name: nil))
        case .identifier:
            let lowered = token.text.lowercased()
            if lowered == "inf" || lowered == "nan" {
                advance()
                return .number(lowered == "inf" ? .infinity : .nan)
            }
            if Self.aggregations.contains(lowered),
               peek().kind == .leftParen || isKeyword(peek(), "by") || isKeyword(peek(), "without") {
                return try parseAggregation(Aggregation.Operator(rawValue: lowered)!, at: token)
            }
            if peek().kind == .leftParen {
                guard let function = Function(rawValue: token.text) else {
                    throw error("unknown function with name \(quoted(token.text))", at: token)
                }
                return try parseCall(function, at: token)
            }
            advance()
            return .vectorSelector(try parseSelector(name: token))
        default:
            throw error("unexpected \(describe(token))")
        }
    }

    private mutating func parseArguments() throws(ParseError) -> [Expression] {
        guard current.kind == .leftParen else { throw error("unexpected \(describe(current)), expected \"(\"") }
        let open = advance()
        var args: [Expression] = []
        while current.kind != .rightParen {
            args.append(try parseExpression(minimumPrecedence: 0))
            if current.kind == .comma {
                advance()
            } else if current.kind == .end {
                throw error("unclosed left parenthesis", at: open)
            } else if current.kind != .rightParen {
                throw error("unexpected \(describe(current)) in argument list, expected \",\" or \")\"")
            }
        }
        advance()
        return args
    }

    private mutating func parseCall(_ function: Function, at token: Token) throws(ParseError) -> Expression {
        advance()
        let args = try parseArguments()
        let signature = function.signature
        let required = signature.arguments.count - signature.optionalTrailing
        if signature.repeatsLast {
            if args.count < required {
                throw error("expected at least \(required) argument(s) in call to \(quoted(function.name)), got \(args.count)", at: token)
            }
        } else if signature.optionalTrailing > 0 {
            if args.count < required {
                throw error("expected at least \(required) argument(s) in call to \(quoted(function.name)), got \(args.count)", at: token)
            }
            if args.count > signature.arguments.count {
                throw error("expected at most \(signature.arguments.count) argument(s) in call to \(quoted(function.name)), got \(args.count)", at: token)
            }
        } else if args.count != signature.arguments.count {
            throw error("expected \(signature.arguments.count) argument(s) in call to \(quoted(function.name)), got \(args.count)", at: token)
        }
        for (position, argument) in args.enumerated() {
            let expected = signature.arguments[min(position, signature.arguments.count - 1)]
            guard argument.type == expected else {
                throw error("expected type \(expected.rawValue) in call to function \(quoted(function.name)), got \(argument.typeName)", at: token)
            }
        }
        return .call(function, args)
    }

    private mutating func parseLabelList(context: String) throws(ParseError) -> [String] {
        guard current.kind == .leftParen else { throw error("unexpected \(describe(current)) in \(context), expected \"(\"") }
        advance()
        var labels: [String] = []
        while current.kind != .rightParen {
            let label = advance()
            guard label.kind == .string || (label.kind == .identifier && !label.text.contains(":")) else {
                throw error("unexpected \(describe(label)) in \(context), expected label", at: label)
            }
            labels.append(label.text)
            if current.kind == .comma {
                advance()
            } else if current.kind != .rightParen {
                throw error("unexpected \(describe(current)) in \(context), expected \",\" or \")\"")
            }
        }
        advance()
        return labels
    }

    private mutating func parseAggregation(_ op: Aggregation.Operator, at token: Token) throws(ParseError) -> Expression {
        advance()
        var grouping: [String] = []
        var without = false
        var sawClause = false
        func clause(_ parser: inout Parser) throws(ParseError) {
            guard parser.isKeyword(parser.current, "by") || parser.isKeyword(parser.current, "without") else { return }
            if sawClause { throw parser.error("unexpected \(parser.describe(parser.current)) in aggregation") }
            without = parser.isKeyword(parser.current, "without")
            parser.advance()
            grouping = try parser.parseLabelList(context: "grouping opts")
            sawClause = true
        }
        try clause(&self)
        let args = try parseArguments()
        try clause(&self)
        let expected = op.parameterType == nil ? 1 : 2
        guard args.count == expected else {
            throw error("wrong number of arguments for aggregate expression provided, expected \(expected), got \(args.count)", at: token)
        }
        let expression = args.last!
        guard expression.type == .vector else {
            throw error("expected type instant vector in aggregation expression, got \(expression.typeName)", at: token)
        }
        if let parameterType = op.parameterType, args[0].type != parameterType {
            throw error("expected type \(parameterType.rawValue) in aggregation parameter, got \(args[0].typeName)", at: token)
        }
        return .aggregate(Aggregation(op: op, parameter: expected == 2 ? args[0] : nil, expression: expression,
                                      grouping: grouping, without: without))
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
            advance()
            while current.kind != .rightBrace {
                let label = current
                guard label.kind == .identifier || label.kind == .string else {
                    throw error("unexpected \(describe(label)) in label matching, expected label name")
                }
                if label.kind == .identifier && label.text.contains(":") {
                    throw error("invalid label name \(quoted(label.text))", at: label)
                }
                advance()
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
                    advance()
                } else if current.kind != .rightBrace {
                    throw error("unexpected \(describe(current)) in label matching, expected \",\" or \"}\"")
                }
            }
            advance()
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

    // MARK: Postfix: ranges, subqueries, offset, @

    private mutating func parsePostfix(_ expression: Expression) throws(ParseError) -> Expression {
        var result = expression
        while true {
            if current.kind == .leftBracket {
                result = try parseRange(result)
            } else if isKeyword(current, "offset") {
                result = try parseOffset(result)
            } else if current.kind == .at {
                result = try parseAt(result)
            } else {
                return result
            }
        }
    }

    private mutating func duration(_ context: String) throws(ParseError) -> Int64 {
        let token = advance()
        guard token.kind == .duration, let value = parseDuration(token.text) else {
            throw error("unexpected \(describe(token)) in \(context), expected duration", at: token)
        }
        return value
    }

    private mutating func parseRange(_ expression: Expression) throws(ParseError) -> Expression {
        let bracket = advance()
        let rangeToken = current
        let range = try duration("range selector")
        guard range > 0 else { throw error("range selector duration must be greater than 0", at: rangeToken) }
        if current.kind == .colon {
            advance()
            var step: Int64?
            if current.kind != .rightBracket {
                step = try duration("subquery step")
                guard step! > 0 else { throw error("zero or negative subquery step", at: bracket) }
            }
            guard current.kind == .rightBracket else { throw error("unexpected \(describe(current)) in subquery, expected \"]\"") }
            advance()
            guard expression.type == .vector || expression.type == .scalar else {
                throw error("subquery is only allowed on instant vector, got \(expression.typeName) instead", at: bracket)
            }
            return .subquery(Subquery(expression: expression, range: range, step: step))
        }
        guard current.kind == .rightBracket else { throw error("unexpected \(describe(current)) in range selector, expected \"]\"") }
        advance()
        guard case .vectorSelector(let selector) = expression else {
            throw error("ranges only allowed for vector selectors", at: bracket)
        }
        if selector.offset != 0 || selector.at != nil {
            throw error("no offset or @ modifiers allowed before a range", at: bracket)
        }
        return .matrixSelector(selector, range: range)
    }

    private mutating func parseOffset(_ expression: Expression) throws(ParseError) -> Expression {
        let keyword = advance()
        var sign: Int64 = 1
        if current.kind == .operatorSymbol && (current.text == "-" || current.text == "+") {
            if current.text == "-" { sign = -1 }
            advance()
        }
        let amount = sign * (try duration("offset"))
        return try modify(expression, at: keyword, what: "offset modifier") { offset, _ throws(ParseError) in
            guard offset == 0 else { throw error("offset may not be set multiple times", at: keyword) }
            offset = amount
        }
    }

    private mutating func parseAt(_ expression: Expression) throws(ParseError) -> Expression {
        let token = advance()
        let modifier: AtModifier
        if (isKeyword(current, "start") || isKeyword(current, "end")) && peek().kind == .leftParen {
            let which = advance()
            advance()
            guard current.kind == .rightParen else { throw error("unexpected \(describe(current)), expected \")\"") }
            advance()
            modifier = isKeyword(which, "start") ? .start : .end
        } else {
            var sign = 1.0
            if current.kind == .operatorSymbol && (current.text == "-" || current.text == "+") {
                if current.text == "-" { sign = -1 }
                advance()
            }
            let number = advance()
            guard number.kind == .number else {
                throw error("unexpected \(describe(number)) in @, expected timestamp", at: number)
            }
            let seconds = sign * (try self.number(number))
            guard seconds.isFinite, abs(seconds * 1000) < Double(Int64.max) else {
                throw error("timestamp out of bounds for @ modifier: \(seconds)", at: number)
            }
            modifier = .timestamp(Int64((seconds * 1000).rounded()))
        }
        return try modify(expression, at: token, what: "@ modifier") { _, at throws(ParseError) in
            guard at == nil else { throw error("@ <timestamp> may not be set multiple times", at: token) }
            at = modifier
        }
    }

    private func modify(_ expression: Expression, at token: Token, what: String,
                        _ body: (inout Int64, inout AtModifier?) throws(ParseError) -> Void) throws(ParseError) -> Expression {
        switch expression {
        case .vectorSelector(var selector):
            try body(&selector.offset, &selector.at)
            return .vectorSelector(selector)
        case .matrixSelector(var selector, let range):
            try body(&selector.offset, &selector.at)
            return .matrixSelector(selector, range: range)
        case .subquery(var subquery):
            try body(&subquery.offset, &subquery.at)
            return .subquery(subquery)
        default:
            throw error("\(what) must be preceded by an instant vector selector or range vector selector or a subquery", at: token)
        }
    }
}
