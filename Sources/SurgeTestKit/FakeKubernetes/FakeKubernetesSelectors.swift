import Foundation
/// Label and field selectors as the API server parses them, for list and watch. A selector the fake
/// cannot read is refused with 400, as the real server refuses one it cannot parse.
struct FakeLabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String), notEquals(String, String), exists(String), notExists(String)
        case `in`(String, Set<String>), notIn(String, Set<String>)
    }
    let requirements: [Requirement]

    /// Every object.
    static let everything = FakeLabelSelector(requirements: [])

    init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    init(_ text: String) throws(FakeKubernetesFailure) {
        var requirements: [Requirement] = []
        for term in Self.terms(text) {
            let term = term.trimmingCharacters(in: .whitespaces)
            if term.isEmpty { continue }
            if let range = term.range(of: " notin ") ?? term.range(of: " in ") {
                let key = term[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                let list = term[range.upperBound...].trimmingCharacters(in: .whitespaces)
                guard list.hasPrefix("("), list.hasSuffix(")") else { throw .badRequest("unable to parse requirement: \(term)") }
                let values = Set(list.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                requirements.append(term[range].contains("notin") ? .notIn(key, values) : .in(key, values))
            } else if let range = term.range(of: "!=") {
                requirements.append(.notEquals(String(term[..<range.lowerBound]), String(term[range.upperBound...])))
            } else if let range = term.range(of: "==") ?? term.range(of: "=") {
                requirements.append(.equals(String(term[..<range.lowerBound]), String(term[range.upperBound...])))
            } else if term.hasPrefix("!") {
                requirements.append(.notExists(String(term.dropFirst())))
            } else if term.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) {
                requirements.append(.exists(term))
            } else {
                throw .badRequest("unable to parse requirement: \(term)")
            }
        }
        self.requirements = requirements
    }

    /// Splits at commas outside parentheses.
    static func terms(_ text: String) -> [String] {
        var terms: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 {
                terms.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        terms.append(current)
        return terms
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): labels[key] == value
            case .notEquals(let key, let value): labels[key] != value
            case .exists(let key): labels[key] != nil
            case .notExists(let key): labels[key] == nil
            case .in(let key, let values): labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): !(labels[key].map(values.contains) ?? false)
            }
        }
    }
}

struct FakeFieldSelector: Sendable {
    static let podFields: Set<String> = ["metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
                                         "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP",
                                         "status.nominatedNodeName"]
    let requirements: [(field: String, value: String, equal: Bool)]

    init(_ text: String, allowed: Set<String>) throws(FakeKubernetesFailure) {
        var requirements: [(String, String, Bool)] = []
        for term in text.split(separator: ",").map(String.init) where !term.isEmpty {
            let (field, value, equal): (String, String, Bool)
            if let range = term.range(of: "!=") {
                (field, value, equal) = (String(term[..<range.lowerBound]), String(term[range.upperBound...]), false)
            } else if let range = term.range(of: "==") ?? term.range(of: "=") {
                (field, value, equal) = (String(term[..<range.lowerBound]), String(term[range.upperBound...]), true)
            } else {
                throw .badRequest("invalid selector: '\(text)'; can't understand '\(term)'")
            }
            guard allowed.contains(field) else { throw .badRequest("field label not supported: \(field)") }
            requirements.append((field, value, equal))
        }
        self.requirements = requirements
    }

    func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            let actual = object[path: requirement.field]?.string ?? ""
            return (actual == requirement.value) == requirement.equal
        }
    }
}
