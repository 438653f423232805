/// A series' identity: label pairs sorted by name, names unique, no empty values.
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible {
    public private(set) var pairs: [Label]

    /// Builds a label set from pairs in any order; empty values are dropped, as Prometheus treats an
    /// empty value as an absent label. Later duplicates replace earlier ones.
    public init(_ pairs: [Label]) {
        var byName: [String: String] = [:]
        for pair in pairs { byName[pair.name] = pair.value }
        self.pairs = byName.filter { !$0.value.isEmpty }.map { Label($0.key, $0.value) }.sorted()
    }

    /// Wraps pairs the caller has already validated as sorted, unique and non-empty.
    public init(sortedUnique pairs: [Label]) {
        self.pairs = pairs
    }

    public init(_ dictionary: [String: String]) {
        self.init(dictionary.map { Label($0.key, $0.value) })
    }

    public static let empty = Labels(sortedUnique: [])

    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    public var metricName: String? { self[metricNameLabel] }

    public var isEmpty: Bool { pairs.isEmpty }

    public var dictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: pairs.map { ($0.name, $0.value) })
    }

    public static func < (lhs: Labels, rhs: Labels) -> Bool {
        for (l, r) in zip(lhs.pairs, rhs.pairs) where l != r {
            return l < r
        }
        return lhs.pairs.count < rhs.pairs.count
    }

    /// `name{a="b", c="d"}` as Prometheus prints a series.
    public var description: String {
        let name = metricName ?? ""
        let rest = pairs.filter { $0.name != metricNameLabel }
        if rest.isEmpty && !name.isEmpty { return name }
        let inner = rest.map { "\($0.name)=\(quoted($0.value))" }.joined(separator: ", ")
        return "\(name){\(inner)}"
    }
}

/// Quotes a string the way PromQL and the exposition format expect.
public func quoted(_ value: String) -> String {
    var out = "\""
    for ch in value.unicodeScalars {
        switch ch {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        default: out.unicodeScalars.append(ch)
        }
    }
    return out + "\""
}
