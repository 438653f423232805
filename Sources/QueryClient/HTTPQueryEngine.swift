import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TimeSeriesCore

/// The query seam over any Prometheus-compatible HTTP API (`/api/v1/query`,
/// `/api/v1/query_range`): a running Surge, Prometheus, VictoriaMetrics.
public struct HTTPQueryEngine: QueryEngine {
    public let base: String
    let client: HTTPClient
    let timeout: TimeAmount
    let settings: HTTPClientSettings

    /// `settings` carries the credentials; `client` must have been made with its TLS settings.
    public init(base: String, client: HTTPClient = QueryHTTP.client, settings: HTTPClientSettings = .init(),
                timeout: TimeAmount = .seconds(30)) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.client = client
        self.settings = settings
        self.timeout = timeout
    }

    public func instant(_ query: String, at time: Timestamp) async throws -> QueryValue {
        try Self.value(try await post("/api/v1/query", [("query", query), ("time", Self.seconds(time))]))
    }

    public func range(_ query: String, start: Timestamp, end: Timestamp, step: Int64) async throws -> QueryValue {
        try Self.value(try await post("/api/v1/query_range", [
            ("query", query), ("start", Self.seconds(start)), ("end", Self.seconds(end)), ("step", Self.seconds(step)),
        ]))
    }

    /// Milliseconds as the API's decimal seconds, exactly.
    static func seconds(_ milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        let magnitude = milliseconds.magnitude
        let fraction = magnitude % 1000
        return fraction == 0 ? "\(sign)\(magnitude / 1000)" : "\(sign)\(magnitude / 1000)." + String(String(fraction + 1000).dropFirst())
    }

    /// `data` of a successful answer as a typed value.
    static func value(_ data: [String: Any]) throws -> QueryValue {
        switch data["resultType"] as? String {
        case "vector":
            return .vector(try (data["result"] as? [[String: Any]] ?? []).map { entry in
                let (timestamp, value) = try sample(entry["value"])
                return VectorElement(labels: try labels(entry["metric"]), timestamp: timestamp, value: value)
            })
        case "matrix":
            return .matrix(try (data["result"] as? [[String: Any]] ?? []).map { entry in
                Series(labels: try labels(entry["metric"]), samples: try (entry["values"] as? [Any] ?? []).map { pair in
                    let (timestamp, value) = try sample(pair)
                    return Sample(timestamp: timestamp, value: value)
                })
            })
        case "scalar":
            let (timestamp, value) = try sample(data["result"])
            return .scalar(timestamp: timestamp, value: value)
        case "string":
            guard let pair = data["result"] as? [Any], pair.count == 2, let text = pair[1] as? String else {
                throw QueryError(.unavailable, "a string result is not [time, \"text\"]")
            }
            return .string(timestamp: try time(pair[0]), value: text)
        case let other:
            throw QueryError(.unavailable, "the answer's resultType is \(other ?? "missing"), not vector, matrix, scalar or string")
        }
    }

    static func labels(_ object: Any?) throws -> Labels {
        guard let map = object as? [String: Any] else { return .empty }
        var pairs: [Label] = []
        for (name, value) in map {
            guard let text = value as? String else { throw QueryError(.unavailable, "label \(name) has a value that is not a string") }
            pairs.append(Label(name, text))
        }
        return Labels(pairs)
    }

    /// `[time, "value"]` as the API writes a sample.
    static func sample(_ object: Any?) throws -> (Timestamp, Double) {
        guard let pair = object as? [Any], pair.count == 2, let text = pair[1] as? String, let value = Double(text) else {
            throw QueryError(.unavailable, "a sample is not [time, \"value\"]")
        }
        return (try time(pair[0]), value)
    }

    static func time(_ object: Any) throws -> Timestamp {
        guard let seconds = (object as? NSNumber)?.doubleValue, seconds.isFinite, abs(seconds) < 9e12 else {
            throw QueryError(.unavailable, "a sample time is not a number of seconds")
        }
        return Timestamp((seconds * 1000).rounded())
    }

    /// An instant query that blocks the calling thread until answered, for callers that cannot wait
    /// (rule templates' `query`). The answer is read on the client's event loop, never on the
    /// caller's, so a blocked caller cannot hold it up.
    public var synchronousQuery: @Sendable (String, Timestamp) throws -> QueryValue {
        { [self] query, time in
            let request: HTTPClient.Request
            do {
                request = try HTTPClient.Request(url: base + "/api/v1/query", method: .POST, headers: headers,
                                                 body: .string(QueryHTTP.formEncode([("query", query), ("time", Self.seconds(time))])))
            } catch {
                throw QueryError(.unavailable, "cannot reach \(base): \(error)")
            }
            let text: String
            do {
                let response = try client.execute(request: request, deadline: .now() + timeout).wait()
                text = response.body.map { String(buffer: $0) } ?? ""
            } catch {
                throw QueryError(.unavailable, "cannot reach \(base): \(error)")
            }
            return try Self.value(try parse(text))
        }
    }

    private var headers: HTTPHeaders {
        var headers = HTTPHeaders([("Content-Type", "application/x-www-form-urlencoded")])
        if let authorization = settings.authorization { headers.add(name: "Authorization", value: authorization) }
        return headers
    }

    private func post(_ path: String, _ form: [(String, String)]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers = headers
        request.body = .bytes(ByteBuffer(string: QueryHTTP.formEncode(form)))
        let text: String
        do {
            let response = try await client.execute(request, timeout: timeout)
            text = String(buffer: try await response.body.collect(upTo: 64 << 20))
        } catch {
            throw QueryError(.unavailable, "cannot reach \(base): \(error)")
        }
        return try parse(text)
    }

    /// `data` of an API answer, or the answer's error as a query error.
    private func parse(_ text: String) throws -> [String: Any] {
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw QueryError(.unavailable, "\(base) answered with a body that is not JSON")
        }
        guard json["status"] as? String == "success", let data = json["data"] as? [String: Any] else {
            let type = json["errorType"] as? String ?? "error"
            let kind = QueryError.Kind(rawValue: type) ?? (type == "bad_data" ? .badData : .execution)
            throw QueryError(kind, "\(type): \(json["error"] as? String ?? "unknown")")
        }
        return data
    }
}
