import AsyncHTTPClient
import Foundation
import NIOCore
import Scaling

/// One decision now, from a Prometheus-compatible query API, for a workload whose replica count is
/// given. Pods are those that report the metric, taken as running and ready.
public enum LiveDecision {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func decide(policy: ScalingPolicy, prometheusURL: String, replicas: Int, now: Date,
                              client: HTTPClient = .shared) async throws -> PolicyDecision {
        var observations: [MetricObservation] = []
        var podNames = Set<String>()
        var requests: [String: [String: [String: Int64]]] = [:]
        for spec in policy.metrics {
            let (query, shape) = MetricQueries.query(for: spec, policy: policy)
            do {
                let vector = try await instantQuery(query, base: prometheusURL, at: now, client: client)
                switch shape {
                case .total:
                    observations.append(vector.isEmpty ? .unavailable("unable to get metric \(spec.name): the query \(query) returned nothing")
                                        : .total(Int64((vector.reduce(0) { $0 + $1.value } * 1000).rounded(.up))))
                case .perPod:
                    var perPod: [String: PodMetric] = [:]
                    for sample in vector {
                        guard let pod = sample.labels["pod"] else { continue }
                        perPod[pod] = PodMetric(value: Int64((sample.value * 1000).rounded(.up)), timestamp: now, windowSeconds: 60)
                        podNames.insert(pod)
                    }
                    observations.append(perPod.isEmpty ? .unavailable("unable to get metric \(spec.name): the query \(query) returned no pods") : .perPod(perPod))
                    if case .utilization = spec.target, case .resource(let resource) = spec.source {
                        for sample in try await instantQuery(MetricQueries.requests(resource: resource, policy: policy), base: prometheusURL, at: now, client: client) {
                            if let pod = sample.labels["pod"] { requests[pod, default: [:]]["pod", default: [:]][resource] = Int64((sample.value * 1000).rounded()) }
                        }
                    }
                }
            } catch let failure as Failure {
                observations.append(.unavailable("unable to get metric \(spec.name): \(failure.description)"))
            }
        }
        let pods = podNames.sorted().map { name in
            PodState(name: name, phase: "Running", ready: true, readyTransitionTime: now.addingTimeInterval(-3600),
                     startTime: now.addingTimeInterval(-3600), requests: requests[name] ?? [:])
        }
        var evaluator = PolicyEvaluator(policy: policy)
        return evaluator.decide(PolicyInput(now: now, specReplicas: replicas, pods: pods, observations: observations))
    }

    struct Sample {
        var labels: [String: String]
        var value: Double
    }

    static func instantQuery(_ query: String, base: String, at now: Date, client: HTTPClient) async throws -> [Sample] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = "query=\(query.addingPercentEncoding(withAllowedCharacters: allowed)!)&time=\(now.timeIntervalSince1970)"
        var request = HTTPClientRequest(url: (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/api/v1/query")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: body))
        let text: String
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            text = String(buffer: try await response.body.collect(upTo: 64 << 20))
        } catch {
            throw Failure(description: "cannot reach \(base): \(error)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw Failure(description: "\(base) answered with a body that is not JSON")
        }
        guard json["status"] as? String == "success", let data = json["data"] as? [String: Any] else {
            throw Failure(description: "\(json["errorType"] as? String ?? "error"): \(json["error"] as? String ?? "unknown")")
        }
        switch data["resultType"] as? String {
        case "scalar":
            guard let pair = data["result"] as? [Any], pair.count == 2, let value = Double(pair[1] as? String ?? "") else { return [] }
            return [Sample(labels: [:], value: value)]
        case "vector":
            return (data["result"] as? [[String: Any]] ?? []).compactMap { entry in
                guard let pair = entry["value"] as? [Any], pair.count == 2, let value = Double(pair[1] as? String ?? ""), value.isFinite else { return nil }
                return Sample(labels: entry["metric"] as? [String: String] ?? [:], value: value)
            }
        default:
            throw Failure(description: "the query returned \(data["resultType"] as? String ?? "nothing"), not a vector")
        }
    }
}
