extension AnchoredRegex {
    /// Go's `Regexp.ExpandString`: `$1`, `${1}`, `$name`, `${name}`, `$$`; a name is the longest
    /// run of letters, digits and underscores, and an unknown group expands to nothing.
    public static func expand(_ template: String, _ groups: [(name: String?, value: String)]) -> String {
        var out = ""
        let scalars = Array(template.unicodeScalars)
        var i = 0
        func isNameScalar(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic && c.isASCII || (c >= "0" && c <= "9") }
        while i < scalars.count {
            let c = scalars[i]
            guard c == "$", i + 1 < scalars.count else {
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            var name = ""
            var next = i + 1
            if scalars[next] == "$" {
                out += "$"
                i += 2
                continue
            } else if scalars[next] == "{" {
                var end = next + 1
                while end < scalars.count, isNameScalar(scalars[end]) { end += 1 }
                guard end < scalars.count, scalars[end] == "}", end > next + 1 else {
                    out.unicodeScalars.append(c)
                    i += 1
                    continue
                }
                name = String(String.UnicodeScalarView(scalars[(next + 1)..<end]))
                next = end + 1
            } else {
                var end = next
                while end < scalars.count, isNameScalar(scalars[end]) { end += 1 }
                guard end > next else {
                    out.unicodeScalars.append(c)
                    i += 1
                    continue
                }
                name = String(String.UnicodeScalarView(scalars[next..<end]))
                next = end
            }
            if let number = Int(name) {
                if number < groups.count { out += groups[number].value }
            } else if let group = groups.first(where: { $0.name == name }) {
                out += group.value
            }
            i = next
        }
        return out
    }
}
