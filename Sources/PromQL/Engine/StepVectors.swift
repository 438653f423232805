import TimeSeriesCore

/// An instant vector at every step of a query: one table of label sets, and per step the table
/// entries that have a value there. Label sets are built once per query, not once per step.
struct StepVectors {
    struct Step {
        var ids: [Int] = []
        var values: [Double] = []
        /// Sample timestamps, kept only when `timestamp()` reads a selector; otherwise empty.
        var timestamps: [Timestamp] = []
    }

    var labels: [Labels]
    var steps: [Step]
    /// Set when labels were rewritten in a way that may give two series the same label set (names
    /// dropped from series of several metrics, label_replace, label_join): the evaluator then checks.
    var labelsMayRepeat = false

    init(labels: [Labels], stepCount: Int) {
        self.labels = labels
        self.steps = Array(repeating: Step(), count: stepCount)
    }

    mutating func append(step: Int, id: Int, value: Double) {
        steps[step].ids.append(id)
        steps[step].values.append(value)
    }

    mutating func mapValues(_ transform: (Double) -> Double) {
        for index in steps.indices { steps[index].values = steps[index].values.map(transform) }
    }

    /// The table entry of `labels`, added if new; `index` remembers the entries added so far.
    mutating func entry(for labels: Labels, in index: inout [Labels: Int]) -> Int {
        if let existing = index[labels] { return existing }
        index[labels] = self.labels.count
        self.labels.append(labels)
        return self.labels.count - 1
    }

    mutating func dropMetricNames() {
        if !labelsMayRepeat { labelsMayRepeat = Self.severalMetricNames(labels) }
        labels = labels.map { $0.droppingMetricName() }
    }

    /// Whether the series carry more than one metric name (or some none): dropping names may then
    /// make two of them alike. Compares names only, without hashing whole label sets.
    static func severalMetricNames(_ labels: [Labels]) -> Bool {
        guard let first = labels.first?.metricName else { return labels.count > 1 && labels.contains { $0.metricName != nil } }
        return labels.contains { $0.metricName != first }
    }

    /// Prometheus refuses a vector in which two elements of one step share a label set. Looked at
    /// only when `labelsMayRepeat` says a rewrite may have caused it.
    mutating func checkUniqueLabels() throws(EvaluationError) {
        guard labelsMayRepeat else { return }
        labelsMayRepeat = false
        guard Set(labels).count != labels.count else { return }
        for step in steps {
            var seen = Set<Labels>()
            for id in step.ids where !seen.insert(labels[id]).inserted {
                throw EvaluationError("vector cannot contain metrics with the same labelset")
            }
        }
    }
}

/// What a node evaluates to over the steps of a query.
enum StepValue {
    case scalar([Double])
    case string(String)
    case vector(StepVectors)
}
