import App
import ScalingRuntime
import Foundation
import Kubernetes
import Scaling
import SurgeTestKit
import Testing

/// The `scaling` section of the configuration file, policy loading by glob, and pods as the
/// decision reads them from the API server.
@Suite struct ScalingConfigurationTests {
    @Test func scalingSectionIsRead() throws {
        let config = try ConfigurationFile.parse("""
            scaling:
              policy_files: ["rules/scaling/*.yaml", extra/web.yaml]
              kubernetes:
                api_server: http://127.0.0.1:6443
                bearer_token: abc
            """, path: "/etc/surge/s.yml")
        // Relative to the configuration file, as rule_files are.
        #expect(config.scalingPolicyFiles == ["/etc/surge/rules/scaling/*.yaml", "/etc/surge/extra/web.yaml"])
        let credentials = try #require(try config.scalingKubernetes?.credentials())
        #expect(credentials.server == "http://127.0.0.1:6443" && credentials.token == "abc")
        #expect(config.scalingMetricMaxAgeMilliseconds == 120_000)
        let bounded = try ConfigurationFile.parse("scaling:\n  policy_files: []\n  metric_max_age: 45s\n", path: "/etc/surge/s.yml")
        #expect(bounded.scalingMetricMaxAgeMilliseconds == 45_000)
    }

    @Test(arguments: [
        ("scaling:\n  policy_files: rules/\n", "s.yml:2: policy_files must be a list of paths or globs"),
        ("scaling:\n  policy: []\n", "s.yml:2: unknown key \"policy\""),
        ("scaling:\n  policy_files: [a.yaml]\n  kubernetes: {api_server: localhost:6443}\n",
         "s.yml:3: api_server must be an http:// or https:// URL"),
        ("scaling:\n  policy_files: [a.yaml]\n  kubernetes: {kubeconfig_file: /nonexistent/kubeconfig}\n",
         "s.yml:3: unable to read kubeconfig /nonexistent/kubeconfig"),
        ("scaling:\n  policy_files: [a.yaml]\n", "s.yml:2: not running in a cluster"),
        ("scaling:\n  metric_max_age: soon\n", "s.yml:2: metric_max_age must be a positive duration such as 2m"),
    ])
    func badScalingSectionsNameTheLine(text: String, message: String) {
        do {
            _ = try ConfigurationFile.parse(text, path: "s.yml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".hasPrefix(message), "\(error)")
        }
    }

    @Test func policiesLoadByGlobAndOneWorkloadHasOnePolicy() throws {
        let dir = try TemporaryDirectory(prefix: "surge-policies")
        defer { dir.remove() }
        func policy(_ name: String, target: String) -> String {
            "policies:\n  - name: \(name)\n    target: {kind: Deployment, namespace: shop, name: \(target)}\n    maxReplicas: 5\n"
                + "    metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]\n"
        }
        try policy("web", target: "web").write(to: dir.url.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try policy("api", target: "api").write(to: dir.url.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        try "not a policy".write(to: dir.url.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let loaded = try PolicyLoader.load(patterns: ["\(dir.url.path)/*.yaml", "\(dir.url.path)/none-*.yaml"])
        #expect(loaded.map(\.name) == ["web", "api"])

        try policy("web-again", target: "web").write(to: dir.url.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
        #expect {
            try PolicyLoader.load(patterns: ["\(dir.url.path)/*.yaml"])
        } throws: { error in
            "\(error)" == "\(dir.url.path)/c.yaml:2: policy web-again scales Deployment shop/web, which policy web (\(dir.url.path)/a.yaml:2) already scales"
        }
        #expect(throws: PolicyFileError.self) { try PolicyLoader.load(patterns: ["\(dir.url.path)/missing.yaml"]) }
    }

    @Test func podsReadAsTheReplicaCalculatorSeesThem() throws {
        let json = """
            {"metadata": {"name": "web-1", "namespace": "shop", "deletionTimestamp": "2026-11-22T10:05:00Z"},
             "spec": {"containers": [
                {"name": "app", "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}}},
                {"name": "sidecar", "resources": {"requests": {"cpu": "0.1"}}}, {"name": "bare"}]},
             "status": {"phase": "Running", "startTime": "2026-11-22T09:00:00Z",
                        "conditions": [{"type": "PodScheduled", "status": "True"},
                                       {"type": "Ready", "status": "False", "lastTransitionTime": "2026-11-22T09:00:30.5Z"}]}}
            """
        let state = PodStates.state(try JSONDecoder().decode(Pod.self, from: Data(json.utf8)))
        #expect(state.name == "web-1" && state.phase == .running && state.ready == false)
        #expect(state.startTime == Date(timeIntervalSince1970: 1_795_338_000))
        #expect(state.readyTransitionTime == Date(timeIntervalSince1970: 1_795_338_030.5))
        #expect(state.deletionTimestamp == Date(timeIntervalSince1970: 1_795_341_900))
        #expect(state.requests == ["app": ["cpu": 250, "memory": 1_073_741_824_000], "sidecar": ["cpu": 100]])

        let pending = PodStates.state(Pod(metadata: ObjectMeta(name: "web-2")))
        #expect(pending.phase == .pending && pending.ready == nil && pending.startTime == nil && pending.requests.isEmpty)
    }
}

/// The PromQL a policy metric reads from storage, under cAdvisor's names and prometheus-adapter's
/// label conventions.
@Suite struct MetricQueriesTests {
    static let policy = ScalingPolicy(name: "web", target: .init(namespace: "shop", name: "web.v2"), maxReplicas: 5, metrics: [])

    @Test func queriesPerMetricType() throws {
        func query(_ spec: MetricSpecification) -> String { MetricQueries.query(for: spec, policy: Self.policy).0 }
        #expect(query(MetricSpecification(source: .resource("cpu"), target: .utilization(60)))
                == #"sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="shop", pod=~"web\\.v2-.*", container!="", container!="POD"}[1m]))"#)
        #expect(query(MetricSpecification(source: .containerResource("memory", container: "app"), target: .averageValue(1)))
                == #"sum by (pod) (container_memory_working_set_bytes{namespace="shop", pod=~"web\\.v2-.*", container="app"})"#)
        #expect(query(MetricSpecification(source: .pods("rps"), target: .averageValue(1), selector: ["tier": "front"]))
                == #"sum by (pod) (rps{namespace="shop", pod=~"web\\.v2-.*", tier="front"})"#)
        #expect(query(MetricSpecification(source: .object("hits"), target: .value(1), describedObject: .init(apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "main")))
                == #"sum(hits{namespace="shop", ingress="main"})"#)
        let external = MetricSpecification(source: .external("queue_ready"), target: .averageValue(1), selector: ["env": "prod"], selectorExpressions: [
            .init(key: "queue", op: .in, values: ["orders", "a.b|c"]), .init(key: "region", op: .notIn, values: ["eu"]),
            .init(key: "shard", op: .exists), .init(key: "paused", op: .doesNotExist),
        ])
        #expect(query(external) == #"sum(queue_ready{env="prod", queue=~"orders|a\\.b\\|c", region!~"eu", shard!="", paused=""})"#)
        #expect(PolicyLoader.checkQuery(query(external)) == nil)
    }
}
