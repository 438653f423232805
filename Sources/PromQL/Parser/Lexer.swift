import TimeSeriesCore

/// Splits a query into tokens. Works on Unicode scalars; comments (`# ...`) and whitespace are skipped.
struct Lexer {
    private let query: String
    private let scalars: [Unicode.Scalar]
    private var position = 0
    /// Inside `[...]` a colon separates a subquery's range from its step; outside, it may start a
    /// metric name (`:node_cpu:rate5m`, as recording rules name their outputs), as in Prometheus.
    private var bracketOpen = false

    init(_ query: String) {
        self.query = query
        self.scalars = Array(query.unicodeScalars)
    }

    static func tokenize(_ query: String) throws(ParseError) -> [Token] {
        var lexer = Lexer(query)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        position + ahead < scalars.count ? scalars[position + ahead] : nil
    }

    private func error(_ message: String, at offset: Int) -> ParseError {
        ParseError(message, at: offset, in: query)
    }

    mutating func next() throws(ParseError) -> Token {
        skipTrivia()
        let start = position
        guard let c = peek() else { return Token(kind: .end, text: "", offset: start) }
        func single(_ kind: Token.Kind) -> Token {
            position += 1
            return Token(kind: kind, text: String(c), offset: start)
        }
        func double(_ kind: Token.Kind) -> Token {
            position += 2
            return Token(kind: kind, text: String(String.UnicodeScalarView(scalars[start..<start + 2])), offset: start)
        }
        switch c {
        case "{": return single(.leftBrace)
        case "}": return single(.rightBrace)
        case "[":
            bracketOpen = true
            return single(.leftBracket)
        case "]":
            bracketOpen = false
            return single(.rightBracket)
        case "(": return single(.leftParen)
        case ")": return single(.rightParen)
        case ",": return single(.comma)
        case ":" where bracketOpen: return single(.colon)
        case "@": return single(.at)
        case "=":
            if peek(1) == "~" { return double(.regexMatch) }
            if peek(1) == "=" { return double(.operatorSymbol) }
            return single(.equal)
        case "!":
            if peek(1) == "=" { return double(.notEqual) }
            if peek(1) == "~" { return double(.regexNoMatch) }
            throw error("unexpected character after '!': \(describe(peek(1)))", at: start)
        case "<", ">":
            if peek(1) == "=" { return double(.operatorSymbol) }
            return single(.operatorSymbol)
        case "+", "-", "*", "/", "%", "^":
            return single(.operatorSymbol)
        case "\"", "'", "`":
            return try string(quote: c)
        default:
            if isDigit(c) || (c == "." && peek(1).map(isDigit) == true) {
                return try numberOrDuration()
            }
            if isIdentifierStart(c) || c == ":" {
                while let n = peek(), isIdentifierPart(n) || n == ":" { position += 1 }
                return Token(kind: .identifier, text: text(from: start), offset: start)
            }
            throw error("unexpected character: \(describe(c))", at: start)
        }
    }

    private mutating func skipTrivia() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                position += 1
            } else if c == "#" {
                while let n = peek(), n != "\n" { position += 1 }
            } else {
                return
            }
        }
    }

    private func text(from start: Int) -> String {
        String(String.UnicodeScalarView(scalars[start..<position]))
    }

    private func describe(_ c: Unicode.Scalar?) -> String {
        c.map { "'\($0)'" } ?? "end of input"
    }

    private mutating func numberOrDuration() throws(ParseError) -> Token {
        let start = position
        // Hexadecimal integers.
        if peek() == "0", let x = peek(1), x == "x" || x == "X" {
            position += 2
            while let c = peek(), c.properties.isASCIIHexDigit { position += 1 }
            return Token(kind: .number, text: text(from: start), offset: start)
        }
        while let c = peek(), isDigit(c) { position += 1 }
        // A duration: digits followed by a unit, possibly repeated (1h30m).
        if let unit = peek(), "smhdwy".unicodeScalars.contains(unit) {
            while let c = peek(), isDigit(c) || "smhdwy".unicodeScalars.contains(c) { position += 1 }
            return Token(kind: .duration, text: text(from: start), offset: start)
        }
        if peek() == "." {
            position += 1
            while let c = peek(), isDigit(c) { position += 1 }
        }
        if let e = peek(), e == "e" || e == "E" {
            let mark = position
            position += 1
            if let sign = peek(), sign == "+" || sign == "-" { position += 1 }
            if let d = peek(), isDigit(d) {
                while let c = peek(), isDigit(c) { position += 1 }
            } else {
                position = mark
            }
        }
        if let c = peek(), isIdentifierPart(c) {
            throw error("bad number or duration syntax: \(quoted(text(from: start) + String(c)))", at: start)
        }
        return Token(kind: .number, text: text(from: start), offset: start)
    }

    private mutating func string(quote: Unicode.Scalar) throws(ParseError) -> Token {
        let start = position
        position += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let c = peek() else { throw error("unterminated quoted string", at: start) }
            position += 1
            if c == quote { break }
            if quote == "`" {
                value.append(c)
                continue
            }
            if c == "\n" { throw error("unterminated quoted string", at: start) }
            guard c == "\\" else {
                value.append(c)
                continue
            }
            guard let escaped = peek() else { throw error("unterminated quoted string", at: start) }
            position += 1
            switch escaped {
            case "a": value.append("\u{07}")
            case "b": value.append("\u{08}")
            case "f": value.append("\u{0C}")
            case "n": value.append("\n")
            case "r": value.append("\r")
            case "t": value.append("\t")
            case "v": value.append("\u{0B}")
            case "\\": value.append("\\")
            case "\"", "'": 
                guard escaped == quote else { throw error("unknown escape sequence \\\(escaped)", at: position - 2) }
                value.append(escaped)
            case "x": value.append(try codePoint(digits: 2, base: 16, escapeAt: position - 2))
            case "u": value.append(try codePoint(digits: 4, base: 16, escapeAt: position - 2))
            case "U": value.append(try codePoint(digits: 8, base: 16, escapeAt: position - 2))
            case "0"..."7":
                position -= 1
                value.append(try codePoint(digits: 3, base: 8, escapeAt: position - 1))
            default:
                throw error("unknown escape sequence \\\(escaped)", at: position - 2)
            }
        }
        return Token(kind: .string, text: String(value), offset: start)
    }

    private mutating func codePoint(digits: Int, base: UInt32, escapeAt offset: Int) throws(ParseError) -> Unicode.Scalar {
        var result: UInt32 = 0
        for _ in 0..<digits {
            guard let c = peek(), let digit = UInt32(String(c), radix: Int(base)) else {
                throw error("illegal character in escape sequence", at: offset)
            }
            result = result * base + digit
            position += 1
        }
        guard let scalar = Unicode.Scalar(result) else {
            throw error("escape sequence is an invalid Unicode code point", at: offset)
        }
        return scalar
    }
}

func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
func isIdentifierStart(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
func isIdentifierPart(_ c: Unicode.Scalar) -> Bool { isIdentifierStart(c) || isDigit(c) }
