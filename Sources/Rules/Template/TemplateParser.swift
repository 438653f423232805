/// Turns template text into nodes.
struct TemplateParser {
    private let text: [Character]
    private var position = 0
    /// Nested `if`/`with`/`range` blocks; bounded so that no template exhausts the stack.
    private var depth = 0
    static let maxDepth = 100

    init(_ text: String) {
        self.text = Array(text)
    }

    /// Nodes up to one of the `until` keywords (`end`, `else`), which is left for the caller.
    mutating func parseNodes(until: Set<String>) throws(TemplateError) -> [Template.Node] {
        var nodes: [Template.Node] = []
        while position < text.count {
            guard let open = find("{{", from: position) else {
                nodes.append(.text(String(text[position...])))
                position = text.count
                break
            }
            var literal = String(text[position..<open])
            var actionStart = open + 2
            if actionStart < text.count, text[actionStart] == "-", actionStart + 1 < text.count, text[actionStart + 1].isWhitespace {
                literal = String(literal.reversed().drop(while: \.isWhitespace).reversed())
                actionStart += 1
            }
            if !literal.isEmpty { nodes.append(.text(literal)) }
            guard let close = find("}}", from: actionStart) else { throw TemplateError("unclosed action") }
            var actionEnd = close
            var trimAfter = false
            if actionEnd > actionStart, text[actionEnd - 1] == "-", actionEnd - 2 >= actionStart, text[actionEnd - 2].isWhitespace {
                actionEnd -= 1
                trimAfter = true
            }
            let action = String(text[actionStart..<actionEnd]).trimmingPrefix(while: \.isWhitespace)
            let body = String(action.reversed().drop(while: \.isWhitespace).reversed())
            position = close + 2
            if trimAfter { while position < text.count, text[position].isWhitespace { position += 1 } }
            var tokens = try TemplateTokens(body)
            guard let first = tokens.peek else { throw TemplateError("missing value for command") }
            if case .word(let keyword) = first, until.contains(keyword) || (keyword == "else" && until.contains("else")) {
                // The caller reads the keyword's own action again.
                pendingKeyword = (keyword, tokens)
                return nodes
            }
            if case .word(let keyword) = first, ["if", "with", "range"].contains(keyword) {
                tokens.next()
                nodes.append(try branch(keyword, try tokens.pipeline()))
                continue
            }
            if case .word(let keyword) = first, ["end", "else"].contains(keyword) { throw TemplateError("unexpected {{\(keyword)}}") }
            if case .word(let keyword) = first, ["define", "template", "block"].contains(keyword) {
                throw TemplateError("{{\(keyword)}} is not supported in rule templates")
            }
            nodes.append(.output(try tokens.pipeline()))
        }
        if !until.isEmpty { throw TemplateError("unexpected EOF") }
        return nodes
    }

    private var pendingKeyword: (String, TemplateTokens)?

    private mutating func branch(_ keyword: String, _ condition: Template.Pipeline) throws(TemplateError) -> Template.Node {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw TemplateError("blocks nested deeper than \(Self.maxDepth)") }
        let kind: Template.BranchKind = keyword == "if" ? .if : keyword == "with" ? .with : .range
        let then = try parseNodes(until: ["end", "else"])
        guard var (word, tokens) = pendingKeyword else { throw TemplateError("unexpected EOF") }
        pendingKeyword = nil
        tokens.next()
        if word == "end" { return .branch(kind: kind, condition, then: then, otherwise: []) }
        // `else if ...` is an `if` inside the else branch that shares the outer `end`.
        if case .word(let next)? = tokens.peek, next == "if", kind == .if {
            tokens.next()
            let nested = try branch("if", try tokens.pipeline())
            return .branch(kind: kind, condition, then: then, otherwise: [nested])
        }
        let otherwise = try parseNodes(until: ["end"])
        guard let (closing, _) = pendingKeyword, closing == "end" else { throw TemplateError("expected end") }
        pendingKeyword = nil
        word = closing
        return .branch(kind: kind, condition, then: then, otherwise: otherwise)
    }

    private func find(_ marker: String, from start: Int) -> Int? {
        let needle = Array(marker)
        var index = start
        while index + needle.count <= text.count {
            if text[index] == needle[0] && text[index + 1] == needle[1] { return index }
            index += 1
        }
        return nil
    }
}

/// The tokens of one action.
struct TemplateTokens {
    enum Token: Equatable {
        case word(String)
        case variable(String, [String])
        case field([String])
        case string(String)
        case number(Double)
        case pipe, open, close
    }

    private var tokens: [Token]
    private var index = 0
    private var depth = 0

    init(_ text: String) throws(TemplateError) {
        tokens = []
        let chars = Array(text)
        var i = 0
        func fields(_ from: inout Int) -> [String] {
            var out: [String] = []
            while from < chars.count, chars[from] == "." {
                from += 1
                var name = ""
                while from < chars.count, chars[from].isLetter || chars[from].isNumber || chars[from] == "_" { name.append(chars[from]); from += 1 }
                if name.isEmpty { break }
                out.append(name)
            }
            return out
        }
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            switch c {
            case "|": tokens.append(.pipe); i += 1
            case "(": tokens.append(.open); i += 1
            case ")": tokens.append(.close); i += 1
            case "\"":
                var value = ""
                i += 1
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count {
                        i += 1
                        switch chars[i] {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        default: value.append(chars[i])
                        }
                    } else {
                        value.append(chars[i])
                    }
                    i += 1
                }
                guard i < chars.count else { throw TemplateError("unterminated quoted string") }
                i += 1
                tokens.append(.string(value))
            case "`":
                guard let end = chars[(i + 1)...].firstIndex(of: "`") else { throw TemplateError("unterminated raw quoted string") }
                tokens.append(.string(String(chars[(i + 1)..<end])))
                i = end + 1
            case "$":
                i += 1
                var name = ""
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { name.append(chars[i]); i += 1 }
                tokens.append(.variable(name, fields(&i)))
            case ".":
                let path = fields(&i)
                if path.isEmpty { i = max(i, i + 1) }
                tokens.append(.field(path))
                if path.isEmpty && i < chars.count && chars[i] == "." { i += 1 }
            default:
                if c.isNumber || ((c == "-" || c == "+") && i + 1 < chars.count && chars[i + 1].isNumber) {
                    var literal = String(c)
                    i += 1
                    while i < chars.count, chars[i].isNumber || ".eExX_+-abcdefABCDEF".contains(chars[i]) { literal.append(chars[i]); i += 1 }
                    guard let value = Double(literal.replacing("_", with: "")) ?? Int(literal.replacing("_", with: ""), radix: 16).map(Double.init) else {
                        throw TemplateError("bad number syntax: \(goQuoted(literal))")
                    }
                    tokens.append(.number(value))
                } else if c.isLetter || c == "_" {
                    var word = ""
                    while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { word.append(chars[i]); i += 1 }
                    tokens.append(.word(word))
                } else {
                    throw TemplateError("unexpected \(goQuoted(String(c))) in command")
                }
            }
        }
    }

    var peek: Token? { index < tokens.count ? tokens[index] : nil }

    mutating func next() { index += 1 }

    /// `command | command ...` up to the end or a closing parenthesis.
    mutating func pipeline() throws(TemplateError) -> Template.Pipeline {
        depth += 1
        defer { depth -= 1 }
        guard depth <= TemplateParser.maxDepth else { throw TemplateError("parentheses nested deeper than \(TemplateParser.maxDepth)") }
        var commands: [[Template.Operand]] = [[]]
        while let token = peek, token != .close {
            next()
            switch token {
            case .pipe:
                guard !commands[commands.count - 1].isEmpty else { throw TemplateError("missing command") }
                commands.append([])
            case .open:
                let inner = try pipeline()
                guard peek == .close else { throw TemplateError("unclosed left paren") }
                next()
                commands[commands.count - 1].append(.nested(inner))
            case .word(let word):
                switch word {
                case "true": commands[commands.count - 1].append(.literal(.bool(true)))
                case "false": commands[commands.count - 1].append(.literal(.bool(false)))
                case "nil": commands[commands.count - 1].append(.literal(.none))
                default: commands[commands.count - 1].append(.function(word))
                }
            case .variable(let name, let fields): commands[commands.count - 1].append(.variable(name, fields: fields))
            case .field(let fields): commands[commands.count - 1].append(.variable("", fields: fields))
            case .string(let value): commands[commands.count - 1].append(.literal(.string(value)))
            case .number(let value): commands[commands.count - 1].append(.literal(.number(value)))
            case .close: break
            }
        }
        guard !commands[commands.count - 1].isEmpty else { throw TemplateError("missing value for command") }
        return Template.Pipeline(commands: commands)
    }
}
