import Foundation
import SurgeTestKit
import Testing
@testable import Scaling

/// Policy files: every section read, HPA manifests taken as they are, and errors with file:line.
@Suite struct PolicyFileTests {
    /// A policy using every section of the format.
    static let everySection = """
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
              - type: Object
                object:
                  metric: {name: requests-per-second}
                  describedObject: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: main}
                  target: {type: Value, value: 2k}
              - type: External
                external:
                  metric:
                    name: queue_ready
                    selector:
                      matchExpressions:
                        - {key: queue, operator: In, values: [orders, refunds]}
                        - {key: shard, operator: Exists}
                  target: {type: AverageValue, averageValue: "30"}
              - type: PromQL
                promql: {query: 'sum(rate(http_requests_total[1m]))', target: {type: AverageValue, averageValue: 500m}}
            behavior:
              scaleDown: {stabilizationWindowSeconds: 600, selectPolicy: Min, policies: [{type: Percent, value: 10, periodSeconds: 60}]}
            schedules:
              - {name: office, start: "0 9 * * 1-5", end: "0 18 * * 1-5", timezone: Asia/Shanghai, minReplicas: 20}
              - {name: sale, start: "2026-11-11 00:00", end: "2026-11-12 02:00", timezone: Asia/Shanghai, minReplicas: 40}
            predictive: {seasons: [1d, 1w], history: 3w, podStartup: 90s}
        """

    @Test func readsEverySection() throws {
        let text = Self.everySection
        let policies = try PolicyFile.parse(text, path: "p.yaml")
        let policy = try #require(policies.first)
        #expect(policy.name == "checkout" && policy.target.namespace == "shop" && policy.minReplicas == 2 && policy.maxReplicas == 50)
        #expect(policy.intervalSeconds == 10 && policy.source == "p.yaml:2")
        #expect(policy.metrics.map(\.source) == [.resource("cpu"), .pods("rps"), .object("requests-per-second"), .external("queue_ready"),
                                                  .promql("sum(rate(http_requests_total[1m]))")])
        #expect(policy.metrics.map(\.target) == [.utilization(60), .averageValue(1_000_000), .value(2_000_000), .averageValue(30_000), .averageValue(500)])
        #expect(policy.metrics[1].selector == ["tier": "web"] && policy.metrics[2].describedObject?.kind == "Ingress")
        #expect(policy.metrics[3].selectorExpressions == [.init(key: "queue", op: .in, values: ["orders", "refunds"]), .init(key: "shard", op: .exists)])
        #expect(policy.behavior?.scaleDown?.stabilizationWindowSeconds == 600 && policy.behavior?.scaleDown?.selectPolicy == .min)
        #expect(policy.schedules.map(\.minReplicas) == [20, 40])
        guard case .once(let start, _) = policy.schedules[1].timing else { Issue.record("expected a one-off window"); return }
        #expect(start == ISO8601DateFormatter().date(from: "2026-11-10T16:00:00Z"))
        #expect(policy.predictive?.seasons == [86_400, 604_800] && policy.predictive?.historySeconds == 21 * 86_400)
        #expect(policy.predictive?.lookAhead(intervalSeconds: policy.intervalSeconds) == 100)
    }

    @Test func takesACopiedHorizontalPodAutoscaler() throws {
        let text = """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: php-apache, namespace: demo}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php-apache}
              minReplicas: 1
              maxReplicas: 10
              metrics:
              - type: Resource
                resource:
                  name: cpu
                  target: {type: Utilization, averageUtilization: 50}
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: defaults}
            spec:
              scaleTargetRef: {kind: StatefulSet, name: db}
              maxReplicas: 3
            """
        let policies = try PolicyFile.parse(text, path: "hpa.yaml")
        #expect(policies.map(\.name) == ["php-apache", "defaults"])
        #expect(policies[0].target == .init(apiVersion: "apps/v1", kind: "Deployment", namespace: "demo", name: "php-apache"))
        #expect(policies[0].metrics == [MetricSpecification(source: .resource("cpu"), target: .utilization(50))])
        // An HPA without metrics scales on 80% CPU.
        #expect(policies[1].metrics == [MetricSpecification(source: .resource("cpu"), target: .utilization(80))] && policies[1].target.namespace == "default")
    }

    static let badPolicies: [(String, String)] = [
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 0\n    metrics: []\n", "p.yaml:4: maxReplicas must be an integer of at least 1"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    metrics:\n      - type: Memory\n", "p.yaml:6: metric type must be one of"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    metrics:\n      - type: Pods\n        pods: {metric: {name: x}, target: {type: Utilization, averageUtilization: 5}}\n",
         "p.yaml:7: target type must be AverageValue here"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    schedules:\n      - {start: \"0 25 * * *\", end: \"0 18 * * *\", minReplicas: 2}\n",
         "p.yaml:6: hour 25 is outside 0-23"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    schedules:\n      - {start: \"0 9 * * *\", end: \"0 18 * * *\", timezone: Mars/Olympus, minReplicas: 2}\n",
         "p.yaml:6: unknown time zone \"Mars/Olympus\""),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    minReplicas: 0\n    metrics:\n      - type: Resource\n        resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n",
         "p.yaml:5: minReplicas may be 0 only with"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    metrics:\n      - type: Resource\n        resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n    predictive: {seasons: [1d], history: 1d}\n",
         "p.yaml:8: history must cover at least two of the longest season"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    behavior: {scaleUp: {selectPolicy: Fastest}}\n    metrics:\n      - type: Resource\n        resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n",
         "p.yaml:5: scaleUp.selectPolicy must be Max, Min or Disabled"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    metrics:\n      - type: PromQL\n        promql: {query: 'sum(', target: {type: Value, value: 1}}\n",
         "p.yaml:7: promql.query: bad query"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    replicas: 4\n", "p.yaml:5: unknown field \"replicas\" in a policy"),
        ("policies: [\n", "p.yaml:"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    metrics:\n      - type: External\n        external:\n          metric: {name: q, selector: {matchExpressions: [{key: queue, operator: In}]}}\n          target: {type: Value, value: 1}\n",
         "p.yaml:8: values must be non-empty when operator is In"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    metrics:\n      - type: External\n        external:\n          metric: {name: q, selector: {matchExpressions: [{key: queue, operator: Near}]}}\n          target: {type: Value, value: 1}\n",
         "p.yaml:8: operator must be one of In, NotIn, Exists, DoesNotExist"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    behavior: {scaleDown: {tolerance: -0.1}}\n    metrics:\n      - type: Resource\n        resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n",
         "p.yaml:5: scaleDown.tolerance must be greater than or equal to 0"),
        ("policies:\n  - name: a\n    target: {kind: Deployment, name: a}\n    maxReplicas: 3\n    behavior: {scaleUp: {tolerance: a-lot}}\n    metrics:\n      - type: Resource\n        resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}\n",
         "p.yaml:5: scaleUp.tolerance must be a quantity such as 0.05 or 50m"),
    ]

    @Test func behaviorToleranceIsAQuantityPerDirection() throws {
        let policies = try PolicyFile.parse("""
            policies:
              - name: a
                target: {kind: Deployment, name: a}
                maxReplicas: 3
                behavior: {scaleUp: {tolerance: 0.02}, scaleDown: {tolerance: 250m}}
                metrics:
                  - type: Resource
                    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
            """, path: "p.yaml")
        #expect(policies[0].behavior?.scaleUp?.tolerance == 0.02 && policies[0].behavior?.scaleDown?.tolerance == 0.25)
        #expect(policies[0].behavior?.scaleUp?.stabilizationWindowSeconds == nil)
    }

    @Test(arguments: badPolicies)
    func refusesWithFileAndLine(_ text: String, _ message: String) {
        #expect {
            _ = try PolicyFile.parse(text, path: "p.yaml", validateQuery: { $0.hasSuffix("(") ? "bad query" : nil })
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    /// Damaged policy files are refused with an error naming the file, never trapped on.
    @Test func damagedPolicyFilesAreRefusedNamingTheFile() throws {
        _ = try PolicyFile.parse(Self.everySection, path: "p.yaml")
        let errors = TextDamage.errors(parsing: Self.everySection, copies: 1_500) { _ = try PolicyFile.parse($0, path: "p.yaml") }
        #expect(!errors.isEmpty)
        for (error, damaged) in errors { #expect("\(error)".hasPrefix("p.yaml"), "\(error)\n\(damaged)") }
    }
}
