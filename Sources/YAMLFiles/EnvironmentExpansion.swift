import Foundation

/// `${NAME}` in a configuration file replaced by the environment variable's value before the YAML
/// is read, so one file serves every node of a DaemonSet (`${NODE_NAME}`, `${POD_IP}`):
///
/// - `${NAME}`: the variable's value; an unset variable is an error naming the file and line;
/// - `${NAME:-default}`: the value, or `default` when the variable is unset or empty;
/// - `$${`: a literal `${`.
///
/// Comment lines (first non-blank character `#`) are left as written. A value holding a line break
/// is refused: it would change the file's structure, not fill in a value.
public enum EnvironmentExpansion {
    public static func expand(_ text: String, path: String, environment: [String: String]) throws(FileError) -> String {
        guard text.contains("${") else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { out.append("\n") }
            if line.drop(while: { $0 == " " || $0 == "\t" }).first == "#" || !line.contains("$") {
                out += line
                continue
            }
            out += try expandLine(line, path: path, line: index + 1, environment: environment)
        }
        return out
    }

    private static func expandLine(_ line: Substring, path: String, line number: Int, environment: [String: String]) throws(FileError) -> String {
        var out = ""
        var rest = line[...]
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("${") {
                out += "${"
                rest = after.dropFirst(2)
                continue
            }
            guard after.hasPrefix("{") else {
                out += "$"
                rest = after
                continue
            }
            guard let close = after.firstIndex(of: "}") else {
                throw FileError(path: path, line: number, message: "unterminated ${ in \(line.trimmingSpaces); write $${ for a literal ${")
            }
            let inside = after[after.index(after: after.startIndex)..<close]
            let (name, fallback): (Substring, Substring?) = {
                guard let separator = inside.range(of: ":-") else { return (inside, nil) }
                return (inside[..<separator.lowerBound], inside[separator.upperBound...])
            }()
            guard let first = name.first, first == "_" || first.isASCII && first.isLetter,
                  name.allSatisfy({ $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw FileError(path: path, line: number, message: "${\(inside)} does not name an environment variable (letters, digits and _)")
            }
            let value: String
            if let set = environment[String(name)], !(fallback != nil && set.isEmpty) {
                value = set
            } else if let fallback {
                value = String(fallback)
            } else {
                throw FileError(path: path, line: number, message: "environment variable \(name) is not set; set it, or write ${\(name):-default}")
            }
            guard !value.contains("\n") && !value.contains("\r") else {
                throw FileError(path: path, line: number, message: "environment variable \(name) holds a line break; only single-line values can be filled in")
            }
            out += value
            rest = after[after.index(after: close)...]
        }
        return out + rest
    }
}

private extension Substring {
    var trimmingSpaces: Substring { drop(while: { $0 == " " }) }
}
