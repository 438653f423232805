import Foundation
import YAMLFiles
import Yams

/// `triggers:` entries of a policy (step scaling):
///
/// ```yaml
/// triggers:
///   - name: slow-checkout
///     when: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="checkout"}[1m]))) > 0.3
///     for: 2m
///     scaleBy: 3              # or scaleTo: 20, or scaleByPercent: 50; negative values remove
///     cooldown: 5m            # after a scale it drove (default 5m)
///   - {name: idle, when: 'avg(rate(container_cpu_usage_seconds_total{namespace="shop", pod=~"checkout-.*"}[5m])) < 0.3', for: 15m, scaleBy: -1}
/// ```
enum TriggerReader {
    static func triggers(_ node: Node, reader: NodeReader, policy: String, maxReplicas: Int,
                         validateQuery: (String) -> String?) throws -> [StepTrigger] {
        var names = Set<String>()
        return try reader.sequence(node, "triggers").enumerated().map { index, item in
            let map = try reader.mapping(item, "a trigger", allowed: ["name", "when", "for", "scaleBy", "scaleTo", "scaleByPercent", "cooldown"])
            let name = try map["name"].map { try reader.string($0, "name") } ?? "trigger-\(index + 1)"
            guard names.insert(name).inserted else { throw reader.fail(map["name"] ?? item, "trigger \"\(name)\" is defined twice in policy \"\(policy)\"") }
            let whenNode = try reader.require(map, "when", in: "trigger \"\(name)\"", at: item)
            let when = try reader.string(whenNode, "when")
            if let problem = validateQuery(when) { throw reader.fail(whenNode, "when: \(problem)") }
            let changes = ["scaleBy", "scaleTo", "scaleByPercent"].filter { map[$0] != nil }
            guard changes.count == 1 else {
                throw reader.fail(changes.count > 1 ? map[changes[1]] : item,
                                  "trigger \"\(name)\" needs exactly one of scaleBy, scaleTo and scaleByPercent")
            }
            let change: StepTrigger.Change
            switch changes[0] {
            case "scaleBy":
                let count = try reader.int(map["scaleBy"]!, "scaleBy")
                guard count != 0 else { throw reader.fail(map["scaleBy"], "scaleBy must add (positive) or remove (negative) replicas, not 0") }
                change = .by(count)
            case "scaleTo":
                change = .to(try reader.int(map["scaleTo"]!, "scaleTo", minimum: 0))
                if case .to(let count) = change, count > maxReplicas {
                    throw reader.fail(map["scaleTo"], "scaleTo (\(count)) must not exceed maxReplicas (\(maxReplicas))")
                }
            default:
                let percent = try reader.number(map["scaleByPercent"]!, "scaleByPercent")
                guard percent != 0, percent >= -100, percent.isFinite else {
                    throw reader.fail(map["scaleByPercent"], "scaleByPercent must be a non-zero percentage, at least -100")
                }
                change = .byPercent(percent)
            }
            return StepTrigger(name: name, when: when, forSeconds: try map["for"].map { try reader.seconds($0, "for") } ?? 0, change: change,
                               cooldownSeconds: try map["cooldown"].map { try reader.seconds($0, "cooldown") } ?? 300,
                               source: "\(reader.path):\((item.mark?.line ?? 0))")
        }
    }
}
