/// A lexical token of PromQL with its position in the query text.
struct Token: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case identifier       // metric names, label names, function names, keywords
        case string           // the unescaped value
        case number
        case duration
        case leftBrace, rightBrace, leftBracket, rightBracket, leftParen, rightParen
        case comma, colon, at
        case equal            // = (label matcher)
        case notEqual         // !=
        case regexMatch       // =~
        case regexNoMatch     // !~
        case operatorSymbol   // + - * / % ^ == < > <= >=
        case end
    }

    let kind: Kind
    let text: String
    let offset: Int  // in Unicode scalars from the start of the query
}
