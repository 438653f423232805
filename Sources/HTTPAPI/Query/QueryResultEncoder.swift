import PromQL
import TimeSeriesCore

/// The `data` object of a query response: `{"resultType":"vector","result":[...]}`.
enum QueryResultEncoder {
    /// `stats`, when given, is the already-encoded object the `stats` parameter asks for.
    static func encode(_ value: QueryValue, stats: String? = nil) -> String {
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
        if let stats { json.raw(",\"stats\":" + stats) }
        json.raw("}")
        return json.text
    }

    /// Prometheus' `stats` object: timings in seconds and sample counts.
    static func encode(_ statistics: QueryStatistics, total: Duration) -> String {
        func seconds(_ duration: Duration) -> String { formatSampleValue(duration.inSeconds) }
        let inner = statistics.evaluationTime - statistics.fetchTime - statistics.sortTime
        return "{\"timings\":{\"evalTotalTime\":\(seconds(statistics.evaluationTime)),"
            + "\"resultSortTime\":\(seconds(statistics.sortTime)),"
            + "\"queryPreparationTime\":\(seconds(statistics.fetchTime)),"
            + "\"innerEvalTime\":\(seconds(inner)),"
            + "\"execQueueTime\":0,"
            + "\"execTotalTime\":\(seconds(total))},"
            + "\"samples\":{\"totalQueryableSamples\":\(statistics.samplesQueried),\"peakSamples\":\(statistics.peakSamples)}}"
    }
}
