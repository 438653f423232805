import Foundation
import NIOPosix
import PromQL
import TimeSeriesCore

/// Queries Surge's storage in-process through the PromQL engine: no HTTP between a sample's arrival
/// and the decision that reads it.
public struct EngineMetricSource: MetricSource {
    let engine: Engine

    public init(querier: any SeriesQuerier, lookbackDelta: Int64 = 5 * 60 * 1000) {
        engine = Engine(querier: querier, lookbackDelta: lookbackDelta, timeout: .seconds(30))
    }

    public func instant(_ query: String, at time: Date) async throws -> [LiveSample] {
        let expression = try parse(query)
        let value: QueryValue
        do { value = try engine.instant(expression, at: Self.timestamp(time)) } catch {
            throw MetricSourceError("\(error)")
        }
        switch value {
        case .scalar(_, let number):
            return number.isFinite ? [LiveSample(labels: [:], value: number)] : []
        case .vector(let elements):
            return elements.filter { $0.value.isFinite }.map { element in
                LiveSample(labels: Dictionary(element.labels.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }), value: element.value)
            }
        default:
            throw MetricSourceError("the query returned a \(value.typeName), not a vector")
        }
    }

    public func rangeTotals(_ query: String, from start: Date, through end: Date, step: TimeInterval) async throws -> [(time: Date, value: Double)] {
        let expression = try parse(query)
        let (engine, first, last) = (engine, Self.timestamp(start), Self.timestamp(end))
        // A forecast's history spans days: read it on the thread pool, not on an event loop.
        let value = try await NIOThreadPool.singleton.runIfActive {
            do {
                return try engine.range(expression, start: first, end: last, step: Int64(step * 1000))
            } catch {
                throw MetricSourceError("\(error)")
            }
        }
        guard case .matrix(let series) = value else { return [] }
        var totals: [Timestamp: Double] = [:]
        for one in series {
            for sample in one.samples where sample.value.isFinite { totals[sample.timestamp, default: 0] += sample.value }
        }
        return totals.sorted { $0.key < $1.key }.map { (Date(timeIntervalSince1970: Double($0.key) / 1000), $0.value) }
    }

    private func parse(_ query: String) throws -> ParsedQuery {
        do { return try Parser.parse(query) } catch { throw MetricSourceError("\(error)") }
    }

    static func timestamp(_ date: Date) -> Timestamp {
        Timestamp((date.timeIntervalSince1970 * 1000).rounded())
    }
}
