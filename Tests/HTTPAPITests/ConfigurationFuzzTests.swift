import App
import Foundation
import Scaling
import Testing

/// Damaged configuration and policy files are refused with an error naming the file, never trapped on.
@Suite struct ConfigurationFuzzTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let policy = """
        policies:
          - name: checkout
            target: {apiVersion: apps/v1, kind: Deployment, namespace: shop, name: checkout}
            minReplicas: 2
            maxReplicas: 50
            interval: 10s
            metrics:
              - type: Resource
                resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
              - type: Pods
                pods: {metric: {name: rps, selector: {matchLabels: {tier: web}}}, target: {type: AverageValue, averageValue: 1k}}
              - type: PromQL
                promql: {query: 'sum(rate(http_requests_total[1m]))', target: {type: AverageValue, averageValue: 500m}}
            behavior:
              scaleDown: {stabilizationWindowSeconds: 600, selectPolicy: Min, policies: [{type: Percent, value: 10, periodSeconds: 60}]}
            schedules:
              - {name: office, start: "0 9 * * 1-5", end: "0 18 * * 1-5", timezone: Asia/Shanghai, minReplicas: 20}
              - {name: sale, start: "2026-11-11 00:00", end: "2026-11-12 02:00", timezone: Asia/Shanghai, minReplicas: 40}
            predictive: {seasons: [1d, 1w], history: 3w, podStartup: 90s}
        """

    /// Replaces, deletes or inserts characters and digits, and repeats or drops lines.
    static func damage(_ text: String, _ rng: inout some RandomNumberGenerator) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        let pieces: [Character] = Array(":-[]{},#'\" 0123456789.-e9999999999999999999") + ["\t", "-1", "1e400", "NaN"].flatMap { Array($0) }
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let line = Int.random(in: 0..<lines.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !lines[line].isEmpty:
                lines[line][Int.random(in: 0..<lines[line].count, using: &rng)] = pieces.randomElement(using: &rng)!
            case 1 where !lines[line].isEmpty:
                lines[line].remove(at: Int.random(in: 0..<lines[line].count, using: &rng))
            case 2:
                lines[line].insert(contentsOf: String(Int.random(in: -99_999_999...99_999_999, using: &rng)),
                                   at: Int.random(in: 0...lines[line].count, using: &rng))
            case 3:
                lines.insert(lines[line], at: line)
            default:
                if lines.count > 1 { lines.remove(at: line) }
            }
        }
        return lines.map { String($0) }.joined(separator: "\n")
    }

    @Test func damagedServeConfigurationsAreRefusedNamingTheFile() throws {
        let text = try String(contentsOf: Self.repository.appendingPathComponent("surge.example.yml"), encoding: .utf8)
        _ = try ConfigurationFile.parse(text, path: "surge.yml")
        var rng = SystemRandomNumberGenerator()
        var refused = 0
        for _ in 0..<1_500 {
            let damaged = Self.damage(text, &rng)
            do {
                _ = try ConfigurationFile.parse(damaged, path: "surge.yml")
            } catch {
                refused += 1
                #expect("\(error)".hasPrefix("surge.yml"), "\(error)\n\(damaged)")
            }
        }
        #expect(refused > 0)
    }

    @Test func damagedPolicyFilesAreRefusedNamingTheFile() throws {
        _ = try PolicyFile.parse(Self.policy, path: "p.yaml")
        var rng = SystemRandomNumberGenerator()
        var refused = 0
        for _ in 0..<1_500 {
            let damaged = Self.damage(Self.policy, &rng)
            do {
                _ = try PolicyFile.parse(damaged, path: "p.yaml")
            } catch {
                refused += 1
                #expect("\(error)".hasPrefix("p.yaml"), "\(error)\n\(damaged)")
            }
        }
        #expect(refused > 0)
    }
}
