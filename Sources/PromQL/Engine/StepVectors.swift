import TimeSeriesCore

/// An instant vector at every step of a query: one table of label sets, and per step the table
/// entries that have a value there. Label sets are built once per query, not once per step.
struct StepVectors {
    struct Step {
        var ids: [Int] = []
        var values: [Double] = []
    }

    var labels: [Labels]
    var steps: [Step]

    init(labels: [Labels], stepCount: Int) {
        self.labels = labels
        self.steps = Array(repeating: Step(), count: stepCount)
    }
}

/// What a node evaluates to over the steps of a query.
enum StepValue {
    case scalar([Double])
    case string(String)
    case vector(StepVectors)
}
