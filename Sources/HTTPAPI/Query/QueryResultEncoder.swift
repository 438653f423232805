import TimeSeriesCore

/// The `data` object of a query response: `{"resultType":"vector","result":[...]}`.
enum QueryResultEncoder {
    static func encode(_ value: QueryValue) -> String {
        var json = JSONWriter(reserve: 1024)
        json.raw("{\"resultType\":\"\(value.typeName)\",\"result\":")
        switch value {
        case .vector(let vector):
            json.raw("[")
            for (i, element) in vector.enumerated() {
                if i > 0 { json.raw(",") }
                json.raw("{\"metric\":")
                json.labels(element.labels)
                json.raw(",\"value\":")
                json.point(element.timestamp, element.value)
                json.raw("}")
            }
            json.raw("]")
        case .matrix(let matrix):
            json.raw("[")
            for (i, series) in matrix.enumerated() {
                if i > 0 { json.raw(",") }
                json.raw("{\"metric\":")
                json.labels(series.labels)
                json.raw(",\"values\":[")
                for (j, sample) in series.samples.enumerated() {
                    if j > 0 { json.raw(",") }
                    json.point(sample.timestamp, sample.value)
                }
                json.raw("]}")
            }
            json.raw("]")
        case .scalar(let timestamp, let value):
            json.point(timestamp, value)
        case .string(let timestamp, let value):
            json.raw("[" + formatTimestamp(timestamp) + ",")
            json.string(value)
            json.raw("]")
        }
        json.raw("}")
        return json.text
    }
}
