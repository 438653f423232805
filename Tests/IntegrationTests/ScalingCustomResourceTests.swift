import Foundation
import SurgeTestKit
import Testing

/// A policy may target any custom resource with a scale subresource: `surge serve` maps its kind to
/// the resource through API discovery, as kubectl does, reads and writes its scale, and says clearly
/// when the kind is not served or cannot be scaled.
@Suite(.serialized) struct ScalingCustomResourceTests {
    static let webApps = FakeResource(group: "example.com", version: "v1", plural: "webapps", kind: "WebApp", scalable: true)
    static let caches = FakeResource(group: "example.com", version: "v1", plural: "caches", kind: "Cache")

    static let account = FakeKubernetesAccount(
        token: "scaling-token", user: "system:serviceaccount:surge:surge",
        rules: [FakeKubernetesRule(verbs: ["get", "update"], apiGroups: ["example.com"], resources: ["webapps/scale", "caches/scale"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["list"], resources: ["pods"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["list"], apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["list"], apiGroups: ["keda.sh"], resources: ["scaledobjects"], namespaces: ["shop"]),
                FakeKubernetesRule(verbs: ["create"], resources: ["events"], namespaces: ["shop"])])

    static let policies = """
        policies:
          - name: storefront
            target: {apiVersion: example.com/v1, kind: WebApp, namespace: shop, name: web}
            maxReplicas: 10
            interval: 1s
            metrics:
              - type: Pods
                pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
          - name: cache
            target: {apiVersion: example.com/v1, kind: Cache, namespace: shop, name: sessions}
            maxReplicas: 4
            interval: 1s
            metrics:
              - type: Pods
                pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
          - name: widget
            target: {apiVersion: widgets.example.org/v1, kind: Widget, namespace: shop, name: w}
            maxReplicas: 4
            interval: 1s
            metrics:
              - type: Pods
                pods: {metric: {name: http_requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
        """

    @Test(.timeLimit(.minutes(2)))
    func aCustomResourceIsScaledThroughItsDiscoveredScaleSubresource() async throws {
        try await ScalingServeTests.serving("surge-scaling-crd", account: Self.account, policyFiles: ScalingServeTests.policyFile(Self.policies),
                                            arrange: { fake in
            fake.installCustomResource(Self.webApps)
            fake.installCustomResource(Self.caches)
            // The pods of ScalingServeTests' workload (web-1, web-2, web-3) carry app=web: the custom
            // resource's selector picks them.
            fake.addCustomObject(Self.webApps, namespace: "shop", name: "web", replicas: 3, selector: "app=web")
            fake.addCustomObject(Self.caches, namespace: "shop", name: "sessions", replicas: 1, selector: "app=cache")
        }) { served in
            let (fake, base) = (served.fake, served.base)
            try await ScalingServeTests.writeMetrics(port: served.port)
            func entry(_ entries: [[String: Any]], _ policy: String) -> [String: Any]? { entries.first { $0["policy"] as? String == policy } }
            let entries = try await ScalingServeTests.pollDecisions(base) { entries in
                (entry(entries, "storefront")?["lastAction"] as? [String: Any])?["outcome"] as? String == "applied"
                    && entry(entries, "cache")?["lastError"] is String && entry(entries, "widget")?["lastError"] is String
            }
            let action = try #require(entry(entries, "storefront")?["lastAction"] as? [String: Any], "\(entries) \(served.surge.log.suffix(1500))")
            #expect(action["from"] as? Int == 3 && action["to"] as? Int == 4, "\(action)")
            #expect(fake.object(Self.webApps, namespace: "shop", name: "web")?[path: "spec.replicas"]?.int == 4)
            // The kind was mapped once through discovery; reads and the write went to its scale subresource.
            #expect(fake.requests.filter { $0.hasPrefix("GET /apis/example.com/v1 -> 200") }.count >= 1, "\(fake.requests)")
            #expect(fake.requests.contains { $0.hasPrefix("GET /apis/example.com/v1/namespaces/shop/webapps/web/scale -> 200") })
            #expect(fake.requests.contains { $0.hasPrefix("PUT /apis/example.com/v1/namespaces/shop/webapps/web/scale -> 200") })
            let events = fake.events(namespace: "shop")
            #expect(events.contains { $0[path: "reason"]?.string == "SuccessfulRescale" && $0[path: "involvedObject.kind"]?.string == "WebApp"
                && $0[path: "involvedObject.apiVersion"]?.string == "example.com/v1" }, "\(events)")
            // A kind without a scale subresource, and a group the API server does not serve, are told as such.
            #expect(entry(entries, "cache")?["lastError"] as? String == "cannot read the workload: Cache (caches.example.com) has no scale subresource", "\(entries)")
            #expect(entry(entries, "widget")?["lastError"] as? String
                    == "cannot read the workload: the API server does not serve widgets.example.org/v1 (is its CustomResourceDefinition installed?)", "\(entries)")
            let history = try await SurgeBinary.run(["history", "--data-dir", served.dataDirectory, "--target", "shop/web"])
            #expect(history.output.contains("[PUT /apis/example.com/v1/namespaces/shop/webapps/web/scale"), "\(history.output)")
        }
    }
}
