import TimeSeriesCore

/// `GET /api/v1/metadata`: the metric metadata received, by family name, in Prometheus' shape.
struct MetadataAPI: Sendable {
    let store: MetricMetadataStore

    func metadata(_ parameters: FormParameters) throws -> String {
        let limit = try Self.integer(parameters, "limit")
        let limitPerMetric = try Self.integer(parameters, "limit_per_metric")
        let metric = parameters.first("metric").flatMap { $0.isEmpty ? nil : $0 }
        var json = JSONWriter()
        json.raw("{")
        for (index, family) in store.lookup(metric: metric, limit: limit, limitPerMetric: limitPerMetric).enumerated() {
            if index > 0 { json.raw(",") }
            json.string(family.name)
            json.raw(":[")
            for (position, entry) in family.metadata.enumerated() {
                if position > 0 { json.raw(",") }
                json.raw("{\"type\":")
                json.string(entry.type.rawValue)
                json.raw(",\"help\":")
                json.string(entry.help)
                json.raw(",\"unit\":")
                json.string(entry.unit)
                json.raw("}")
            }
            json.raw("]")
        }
        json.raw("}")
        return json.text
    }

    private static func integer(_ parameters: FormParameters, _ name: String) throws -> Int? {
        guard let text = parameters.first(name), !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw APIError(.badData, "\(name) must be a number") }
        return value
    }
}
