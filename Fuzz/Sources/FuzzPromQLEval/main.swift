import FuzzSupport
import PromQL
import TimeSeriesCore

// The PromQL evaluator over a small dataset: every expression that parses is evaluated as an
// instant query and as a range query, within a sample limit and a time limit.
let engine = Engine(querier: FuzzData.database, maxSamples: 200_000, timeout: .seconds(2))
FuzzDriver.run { bytes in
    var input = FuzzInput(bytes)
    let offset = Int64(input.byte()) * 60_000
    let step = Int64(input.byte() % 16 + 1) * 15_000
    guard let expression = try? Parser.parse(input.restText) else { return }
    _ = try? engine.instant(expression, at: FuzzData.end - offset)
    _ = try? engine.range(expression, start: FuzzData.start + offset, end: FuzzData.end, step: step)
}
