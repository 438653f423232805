import AsyncHTTPClient
import Foundation
import NIOCore

/// Queries any Prometheus-compatible HTTP API (`/api/v1/query`, `/api/v1/query_range`): a running
/// Surge, Prometheus, VictoriaMetrics.
public struct HTTPMetricSource: MetricSource {
    public let base: String
    let client: HTTPClient
    let timeout: TimeAmount

    public init(base: String, client: HTTPClient = QueryHTTP.client, timeout: TimeAmount = .seconds(30)) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.client = client
        self.timeout = timeout
    }

    public func instant(_ query: String, at time: Date) async throws -> [LiveSample] {
        let data = try await post("/api/v1/query", ["query": query, "time": String(time.timeIntervalSince1970)])
        switch data["resultType"] as? String {
        case "scalar":
            guard let pair = data["result"] as? [Any], let value = Self.number(pair), value.isFinite else { return [] }
            return [LiveSample(labels: [:], value: value)]
        case "vector":
            return (data["result"] as? [[String: Any]] ?? []).compactMap { entry in
                guard let pair = entry["value"] as? [Any], let value = Self.number(pair), value.isFinite else { return nil }
                return LiveSample(labels: entry["metric"] as? [String: String] ?? [:], value: value)
            }
        default:
            throw MetricSourceError("the query returned \(data["resultType"] as? String ?? "nothing"), not a vector")
        }
    }

    public func rangeTotals(_ query: String, from start: Date, through end: Date, step: TimeInterval) async throws -> [(time: Date, value: Double)] {
        let data = try await post("/api/v1/query_range", [
            "query": query, "start": String(start.timeIntervalSince1970), "end": String(end.timeIntervalSince1970), "step": String(step),
        ])
        var totals: [Double: Double] = [:]
        for series in data["result"] as? [[String: Any]] ?? [] {
            for case let pair as [Any] in series["values"] as? [Any] ?? [] {
                guard let time = (pair.first as? Double) ?? (pair.first as? Int).map(Double.init), let value = Self.number(pair), value.isFinite else { continue }
                totals[time, default: 0] += value
            }
        }
        return totals.sorted { $0.key < $1.key }.map { (Date(timeIntervalSince1970: $0.key), $0.value) }
    }

    /// `[time, "value"]` as the API writes a sample.
    static func number(_ pair: [Any]) -> Double? {
        pair.count == 2 ? Double(pair[1] as? String ?? "") : nil
    }

    private func post(_ path: String, _ form: [String: String]) async throws -> [String: Any] {
        let body = QueryHTTP.formEncode(form.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: body))
        let text: String
        do {
            let response = try await client.execute(request, timeout: timeout)
            text = String(buffer: try await response.body.collect(upTo: 64 << 20))
        } catch {
            throw MetricSourceError("cannot reach \(base): \(error)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw MetricSourceError("\(base) answered with a body that is not JSON")
        }
        guard json["status"] as? String == "success", let data = json["data"] as? [String: Any] else {
            throw MetricSourceError("\(json["errorType"] as? String ?? "error"): \(json["error"] as? String ?? "unknown")")
        }
        return data
    }
}
