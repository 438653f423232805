import TimeSeriesCore
#if canImport(Glibc)
import Glibc
#endif

/// Binary operators over step values, with Prometheus' vector matching: signatures are computed
/// once per label set, and each step only looks them up.
enum BinaryEvaluator {
    static func evaluate(_ operation: BinaryOperation, lhs: StepValue, rhs: StepValue) throws(EvaluationError) -> StepValue {
        switch (lhs, rhs) {
        case (.scalar(let l), .scalar(let r)):
            return .scalar(zip(l, r).map { a, b in
                operation.op.isComparison ? (compare(operation.op, a, b) ? 1 : 0) : arithmetic(operation.op, a, b)
            })
        case (.vector(let v), .scalar(let s)):
            return .vector(vectorScalar(operation, v, s, scalarOnLeft: false))
        case (.scalar(let s), .vector(let v)):
            return .vector(vectorScalar(operation, v, s, scalarOnLeft: true))
        case (.vector(let l), .vector(let r)):
            if operation.op.isSetOperator { return .vector(setOperation(operation, l, r)) }
            return .vector(try vectorVector(operation, l, r))
        default:
            throw EvaluationError("binary expression must contain only scalar and instant vector types")
        }
    }

    static func arithmetic(_ op: BinaryOperation.Operator, _ a: Double, _ b: Double) -> Double {
        switch op {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        case .modulo: fmod(a, b)
        case .power: pow(a, b)
        case .atan2: Glibc.atan2(a, b)
        default: .nan
        }
    }

    static func compare(_ op: BinaryOperation.Operator, _ a: Double, _ b: Double) -> Bool {
        switch op {
        case .equal: a == b
        case .notEqual: a != b
        case .greater: a > b
        case .less: a < b
        case .greaterOrEqual: a >= b
        case .lessOrEqual: a <= b
        default: false
        }
    }

    /// Whether the result loses `__name__`: arithmetic other than `atan2` (which keeps it in Prometheus
    /// 2.x), and comparisons with `bool`.
    private static func dropsName(_ operation: BinaryOperation) -> Bool {
        if operation.op == .atan2 { return false }
        return !operation.op.isComparison || operation.returnBool
    }

    private static func vectorScalar(_ operation: BinaryOperation, _ vectors: StepVectors, _ scalars: [Double],
                                     scalarOnLeft: Bool) -> StepVectors {
        var out = StepVectors(labels: vectors.labels, stepCount: vectors.steps.count)
        if dropsName(operation) { out.dropMetricNames() }
        for (index, step) in vectors.steps.enumerated() {
            let s = scalars[index]
            for (id, v) in zip(step.ids, step.values) {
                let (a, b) = scalarOnLeft ? (s, v) : (v, s)
                if operation.op.isComparison {
                    let keep = compare(operation.op, a, b)
                    if operation.returnBool {
                        out.append(step: index, id: id, value: keep ? 1 : 0)
                    } else if keep {
                        // The vector's value is kept whichever side it is on.
                        out.append(step: index, id: id, value: v)
                    }
                } else {
                    out.append(step: index, id: id, value: arithmetic(operation.op, a, b))
                }
            }
        }
        return out
    }

    /// The labels two series are matched on: the `on` labels, or all but the `ignoring` labels and
    /// the metric name.
    static func signature(_ labels: Labels, _ matching: BinaryOperation.Matching) -> Labels {
        if matching.on {
            let names = Set(matching.labels)
            return Labels(sortedUnique: labels.pairs.filter { names.contains($0.name) })
        }
        let names = Set(matching.labels + [metricNameLabel])
        return Labels(sortedUnique: labels.pairs.filter { !names.contains($0.name) })
    }

    private static func signatures(_ labels: [Labels], _ matching: BinaryOperation.Matching,
                                   into table: inout [Labels: Int]) -> [Int] {
        labels.map { labels in
            let signature = signature(labels, matching)
            if let id = table[signature] { return id }
            table[signature] = table.count
            return table.count - 1
        }
    }

    private static func setOperation(_ operation: BinaryOperation, _ lhs: StepVectors, _ rhs: StepVectors) -> StepVectors {
        var table: [Labels: Int] = [:]
        let left = signatures(lhs.labels, operation.matching, into: &table)
        let right = signatures(rhs.labels, operation.matching, into: &table)
        var out = StepVectors(labels: lhs.labels + (operation.op == .or ? rhs.labels : []), stepCount: lhs.steps.count)
        for index in lhs.steps.indices {
            let l = lhs.steps[index]
            let r = rhs.steps[index]
            switch operation.op {
            case .and, .unless:
                let present = Set(r.ids.map { right[$0] })
                for (id, v) in zip(l.ids, l.values) where present.contains(left[id]) == (operation.op == .and) {
                    out.append(step: index, id: id, value: v)
                }
            default:
                for (id, v) in zip(l.ids, l.values) { out.append(step: index, id: id, value: v) }
                let present = Set(l.ids.map { left[$0] })
                for (id, v) in zip(r.ids, r.values) where !present.contains(right[id]) {
                    out.append(step: index, id: lhs.labels.count + id, value: v)
                }
            }
        }
        return out
    }

    private static func vectorVector(_ operation: BinaryOperation, _ lhs: StepVectors, _ rhs: StepVectors) throws(EvaluationError) -> StepVectors {
        let matching = operation.matching
        let swapped = matching.cardinality == .oneToMany
        // `many` is iterated, `one` is looked up by signature.
        let many = swapped ? rhs : lhs
        let one = swapped ? lhs : rhs
        var table: [Labels: Int] = [:]
        let manySignatures = signatures(many.labels, matching, into: &table)
        let oneSignatures = signatures(one.labels, matching, into: &table)
        let dropName = dropsName(operation)
        var out = StepVectors(labels: [], stepCount: lhs.steps.count)
        var outIndex: [Labels: Int] = [:]
        var pairCache: [Int64: Int] = [:]
        func resultId(_ manyId: Int, _ oneId: Int) -> Int {
            let key = Int64(manyId) << 32 | Int64(oneId)
            if let cached = pairCache[key] { return cached }
            let id = out.entry(for: resultLabels(many.labels[manyId], one.labels[oneId], matching, dropName: dropName), in: &outIndex)
            pairCache[key] = id
            return id
        }
        for index in lhs.steps.indices {
            let oneStep = one.steps[index]
            var bySignature: [Int: (id: Int, value: Double)] = [:]
            for (id, v) in zip(oneStep.ids, oneStep.values) {
                let signature = oneSignatures[id]
                if let duplicate = bySignature[signature] {
                    let group = BinaryEvaluator.signature(one.labels[id], matching)
                    throw EvaluationError("found duplicate series for the match group \(group) on the \(swapped ? "left" : "right") hand-side of the operation: [\(one.labels[id]), \(one.labels[duplicate.id])];many-to-many matching not allowed: matching labels must be unique on one side")
                }
                bySignature[signature] = (id, v)
            }
            var matched = Set<Int>()
            var produced = Set<Int>()
            var results: [(id: Int, value: Double)] = []
            let manyStep = many.steps[index]
            for (id, v) in zip(manyStep.ids, manyStep.values) {
                let signature = manySignatures[id]
                guard let partner = bySignature[signature] else { continue }
                let (a, b) = swapped ? (partner.value, v) : (v, partner.value)
                var value: Double
                if operation.op.isComparison {
                    let keep = compare(operation.op, a, b)
                    if operation.returnBool {
                        value = keep ? 1 : 0
                    } else if keep {
                        value = a
                    } else {
                        continue
                    }
                } else {
                    value = arithmetic(operation.op, a, b)
                }
                let outId = resultId(id, partner.id)
                if matching.cardinality == .oneToOne {
                    guard matched.insert(signature).inserted else {
                        throw EvaluationError("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                    }
                } else if !produced.insert(outId).inserted {
                    throw EvaluationError("multiple matches for labels: grouping labels must ensure unique matches")
                }
                results.append((outId, value))
            }
            for (id, value) in results { out.append(step: index, id: id, value: value) }
        }
        return out
    }

    private static func resultLabels(_ many: Labels, _ one: Labels, _ matching: BinaryOperation.Matching, dropName: Bool) -> Labels {
        var pairs = many.pairs
        if dropName { pairs.removeAll { $0.name == metricNameLabel } }
        if matching.cardinality == .oneToOne {
            let names = Set(matching.labels)
            pairs.removeAll { names.contains($0.name) != matching.on }
        }
        for name in matching.include {
            pairs.removeAll { $0.name == name }
            if let value = one[name], !value.isEmpty { pairs.append(Label(name, value)) }
        }
        return Labels(pairs)
    }
}
