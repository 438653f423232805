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
        labels = labels.map { $0.droppingMetricName() }
    }
}

/// What a node evaluates to over the steps of a query.
enum StepValue {
    case scalar([Double])
    case string(String)
    case vector(StepVectors)
}
