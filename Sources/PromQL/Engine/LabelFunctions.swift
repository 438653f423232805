import TimeSeriesCore

/// `label_replace` and `label_join`: label sets are rewritten once per series, not per step.
enum LabelFunctions {
    /// `label_replace(v, dst, replacement, src, regex)`.
    static func replace(_ input: StepVectors, _ args: [String]) throws(EvaluationError) -> StepVectors {
        let (destination, replacement, source, pattern) = (args[0], args[1], args[2], args[3])
        let regex: AnchoredRegex
        do {
            regex = try AnchoredRegex(pattern)
        } catch {
            throw EvaluationError("invalid regular expression in label_replace(): \(pattern)")
        }
        guard isValidLabelName(destination) else {
            throw EvaluationError("invalid destination label name in label_replace(): \(destination)")
        }
        var out = input
        out.labelsMayRepeat = true
        out.labels = input.labels.map { labels in
            guard let groups = regex.groups(in: labels[source] ?? "") else { return labels }
            return labels.setting(destination, AnchoredRegex.expand(replacement, groups))
        }
        return out
    }

    /// `label_join(v, dst, separator, src...)`.
    static func join(_ input: StepVectors, _ args: [String]) throws(EvaluationError) -> StepVectors {
        let (destination, separator, sources) = (args[0], args[1], Array(args.dropFirst(2)))
        guard isValidLabelName(destination) else {
            throw EvaluationError("invalid destination label name in label_join(): \(destination)")
        }
        for source in sources where !isValidLabelName(source) {
            throw EvaluationError("invalid source label name in label_join(): \(source)")
        }
        var out = input
        out.labelsMayRepeat = true
        out.labels = input.labels.map { labels in
            labels.setting(destination, sources.map { labels[$0] ?? "" }.joined(separator: separator))
        }
        return out
    }
}

extension Labels {
    /// These labels with `name` set to `value`, or removed when `value` is empty.
    func setting(_ name: String, _ value: String) -> Labels {
        var pairs = self.pairs.filter { $0.name != name }
        if !value.isEmpty { pairs.append(Label(name, value)) }
        return Labels(pairs)
    }
}
