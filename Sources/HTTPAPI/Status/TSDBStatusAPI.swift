import TimeSeriesCore

/// `GET /api/v1/status/tsdb` in Prometheus' shape: the head's figures and its cardinality
/// rankings, `limit` entries each (default 10, as Prometheus).
struct TSDBStatusAPI: Sendable {
    let status: @Sendable (_ limit: Int) -> TSDBStatus

    func status(_ parameters: FormParameters) throws -> String {
        var limit = 10
        if let text = parameters.first("limit"), !text.isEmpty {
            guard let value = Int(text), value >= 1 else { throw APIError(.badData, "limit must be a positive number") }
            limit = value
        }
        return Self.encode(status(limit))
    }

    static func encode(_ status: TSDBStatus) -> String {
        var json = JSONWriter()
        json.raw("{\"headStats\":{\"numSeries\":\(status.numSeries),\"numLabelPairs\":\(status.numLabelPairs),")
        json.raw("\"chunkCount\":\(status.chunkCount),\"minTime\":\(status.minTime),\"maxTime\":\(status.maxTime)}")
        let rankings = [
            ("seriesCountByMetricName", status.seriesCountByMetricName),
            ("labelValueCountByLabelName", status.labelValueCountByLabelName),
            ("memoryInBytesByLabelName", status.memoryInBytesByLabelName),
            ("seriesCountByLabelValuePair", status.seriesCountByLabelValuePair),
        ]
        for (key, entries) in rankings {
            json.raw(",\"\(key)\":[")
            for (index, entry) in entries.enumerated() {
                if index > 0 { json.raw(",") }
                json.raw("{\"name\":")
                json.string(entry.name)
                json.raw(",\"value\":\(entry.value)}")
            }
            json.raw("]")
        }
        json.raw("}")
        return json.text
    }
}
