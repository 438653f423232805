import TimeSeriesCore

/// One `relabel_configs` / `metric_relabel_configs` rule, with Prometheus' defaults.
public struct RelabelRule: Sendable, Equatable {
    public static func == (lhs: RelabelRule, rhs: RelabelRule) -> Bool {
        lhs.sourceLabels == rhs.sourceLabels && lhs.separator == rhs.separator && lhs.targetLabel == rhs.targetLabel
            && lhs.regex.pattern == rhs.regex.pattern && lhs.replacement == rhs.replacement && lhs.action == rhs.action
            && lhs.modulus == rhs.modulus
    }

    public enum Action: String, Sendable, CaseIterable {
        case replace, keep, drop, keepequal, dropequal, lowercase, uppercase, hashmod, labelmap, labeldrop, labelkeep
    }

    public var sourceLabels: [String] = []
    public var separator = ";"
    public var targetLabel = ""
    public var regex: AnchoredRegex
    public var replacement = "$1"
    public var action = Action.replace
    /// For `hashmod`.
    public var modulus: UInt64 = 0

    public init(action: Action = .replace, sourceLabels: [String] = [], separator: String = ";", targetLabel: String = "",
                regex: String = "(.*)", replacement: String = "$1", modulus: UInt64 = 0) throws {
        self.modulus = modulus
        self.action = action
        self.sourceLabels = sourceLabels
        self.separator = separator
        self.targetLabel = targetLabel
        self.regex = try AnchoredRegex(regex)
        self.replacement = replacement
    }

    /// What the rule needs that Prometheus also requires, as a message, or nil when it is complete.
    public var problem: String? {
        switch action {
        case .replace, .lowercase, .uppercase, .keepequal, .dropequal:
            if targetLabel.isEmpty { return "relabel configuration for \(action.rawValue) action requires 'target_label' value" }
        case .hashmod:
            if targetLabel.isEmpty { return "relabel configuration for hashmod action requires 'target_label' value" }
            if modulus == 0 { return "relabel configuration for hashmod requires non-zero modulus" }
        case .labeldrop, .labelkeep:
            if !sourceLabels.isEmpty || !targetLabel.isEmpty {
                return "\(action.rawValue) action requires only 'regex', and no other fields"
            }
        default:
            break
        }
        return nil
    }
}

/// Applies relabeling rules in order, each to the result of the one before, as Prometheus does.
/// Nil means a rule dropped the label set.
public enum Relabeling {
    public static func apply(_ rules: [RelabelRule], to labels: [String: String]) -> [String: String]? {
        var labels = labels
        for rule in rules {
            let value = rule.sourceLabels.map { labels[$0] ?? "" }.joined(separator: rule.separator)
            switch rule.action {
            case .drop:
                if rule.regex.matches(value) { return nil }
            case .keep:
                if !rule.regex.matches(value) { return nil }
            case .keepequal:
                if labels[rule.targetLabel] ?? "" != value { return nil }
            case .dropequal:
                if labels[rule.targetLabel] ?? "" == value { return nil }
            case .replace:
                guard let groups = rule.regex.groups(in: value) else { break }
                let target = AnchoredRegex.expand(rule.targetLabel, groups)
                guard isValidLabelName(target) else { break }
                let result = AnchoredRegex.expand(rule.replacement, groups)
                labels[target] = result.isEmpty ? nil : result
            case .lowercase:
                labels[rule.targetLabel] = value.isEmpty ? nil : value.lowercased()
            case .uppercase:
                labels[rule.targetLabel] = value.isEmpty ? nil : value.uppercased()
            case .hashmod:
                guard rule.modulus > 0 else { break }
                // Prometheus takes the digest's last eight bytes, big-endian, modulo the modulus.
                let digest = MD5.digest(Array(value.utf8))
                let sum = digest.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                labels[rule.targetLabel] = String(sum % rule.modulus)
            case .labelmap:
                for (name, labelValue) in labels {
                    guard let groups = rule.regex.groups(in: name) else { continue }
                    let mapped = AnchoredRegex.expand(rule.replacement, groups)
                    if isValidLabelName(mapped) { labels[mapped] = labelValue }
                }
            case .labeldrop:
                labels = labels.filter { !rule.regex.matches($0.key) }
            case .labelkeep:
                labels = labels.filter { rule.regex.matches($0.key) }
            }
        }
        return labels
    }
}
