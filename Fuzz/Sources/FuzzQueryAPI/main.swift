import FuzzSupport
@testable import HTTPAPI

// The query API's parameters: a query string for one of the query, series and label routes.
let api = QueryAPI(querier: FuzzData.database, maxSamples: 200_000, now: { FuzzData.end })
FuzzDriver.run { bytes in
    var input = FuzzInput(bytes)
    let route = input.byte() % 5
    let parameters = FormParameters(encoded: Substring(input.restText))
    switch route {
    case 0: _ = try? api.instantQuery(parameters).compute()
    case 1: _ = try? api.rangeQuery(parameters).compute()
    case 2: _ = try? api.series(parameters)
    case 3: _ = try? api.labelNames(parameters)
    default: _ = try? api.labelValues(parameters.first("name") ?? "job", parameters)
    }
}
