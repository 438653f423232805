/// A query that cannot be parsed, with its position.
public struct ParseError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public let line: Int
    public let column: Int

    init(_ message: String, at offset: Int, in query: String) {
        self.message = message
        var line = 1
        var column = 1
        for (index, scalar) in query.unicodeScalars.enumerated() {
            if index >= offset { break }
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        self.line = line
        self.column = column
    }

    /// `1:5: parse error: unexpected "}"`, the shape Prometheus reports.
    public var description: String { "\(line):\(column): parse error: \(message)" }
}
