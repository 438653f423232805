import Foundation
import Kubernetes
import Testing
import TimeSeriesCore
@testable import Collectors

/// Objects from the API server under kube-state-metrics' names, labels and units.
@Suite struct KubeStateMetricsTests {
    static func decode<T: Decodable>(_ json: String) throws -> T { try JSONDecoder().decode(T.self, from: Data(json.utf8)) }

    static func series(_ samples: [CollectedSample]) -> [String: Double] {
        Dictionary(samples.map { ($0.labelSet.description, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    @Test func podsWithOwnersPhasesAndResources() throws {
        let pod: Pod = try Self.decode("""
            {"metadata": {"name": "web-1", "namespace": "shop", "uid": "u1", "creationTimestamp": "2026-12-01T10:00:00Z",
                          "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9f", "uid": "r1", "controller": true}]},
             "spec": {"nodeName": "node-a", "priorityClassName": "high",
                      "containers": [{"name": "app", "resources": {"requests": {"cpu": "250m", "memory": "128Mi"}, "limits": {"cpu": "1", "nvidia.com/gpu": "1"}}}]},
             "status": {"phase": "Running", "podIP": "10.1.0.5", "hostIP": "192.168.0.2",
                        "conditions": [{"type": "Ready", "status": "True"}],
                        "containerStatuses": [{"name": "app", "image": "shop/web:2", "containerID": "containerd://abc", "ready": true, "restartCount": 3}]}}
            """)
        var objects = KubeStateObjects()
        objects.pods = [pod]
        let samples = KubeStateMetrics.samples(objects)
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            let wanted = Labels(labels.merging(["__name__": name, "namespace": "shop", "pod": "web-1", "uid": "u1"]) { $1 })
            return samples.first { $0.labelSet == wanted }?.value
        }
        #expect(value("kube_pod_info", ["created_by_kind": "ReplicaSet", "created_by_name": "web-7d9f", "host_ip": "192.168.0.2", "host_network": "false",
                                        "node": "node-a", "pod_ip": "10.1.0.5", "priority_class": "high"]) == 1)
        #expect(value("kube_pod_owner", ["owner_is_controller": "true", "owner_kind": "ReplicaSet", "owner_name": "web-7d9f"]) == 1)
        #expect(value("kube_pod_status_phase", ["phase": "Running"]) == 1)
        #expect(value("kube_pod_status_phase", ["phase": "Pending"]) == 0)
        #expect(value("kube_pod_status_ready", ["condition": "true"]) == 1)
        #expect(value("kube_pod_container_resource_requests", ["container": "app", "node": "node-a", "resource": "cpu", "unit": "core"]) == 0.25)
        #expect(value("kube_pod_container_resource_requests", ["container": "app", "node": "node-a", "resource": "memory", "unit": "byte"]) == 134_217_728)
        #expect(value("kube_pod_container_resource_limits", ["container": "app", "node": "node-a", "resource": "nvidia_com_gpu", "unit": "integer"]) == 1)
        #expect(value("kube_pod_container_status_restarts_total", ["container": "app"]) == 3)
        #expect(value("kube_pod_created", [:]) == 1_796_119_200)
    }

    @Test func workloadsAndNodes() throws {
        var objects = KubeStateObjects()
        objects.deployments = [try Self.decode(#"{"metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 4}, "status": {"replicas": 4, "availableReplicas": 3}}"#)]
        objects.statefulSets = [try Self.decode(#"{"metadata": {"name": "db", "namespace": "shop"}, "spec": {"replicas": 3}, "status": {"readyReplicas": 2}}"#)]
        objects.replicaSets = [try Self.decode(#"{"metadata": {"name": "web-7d9f", "namespace": "shop", "ownerReferences": [{"kind": "Deployment", "name": "web", "controller": true}]}}"#)]
        objects.nodes = [try Self.decode("""
            {"metadata": {"name": "node-a"}, "spec": {"providerID": "openstack:///1"},
             "status": {"capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"}, "allocatable": {"cpu": "7800m", "memory": "31Gi", "pods": "110"},
                        "conditions": [{"type": "Ready", "status": "True"}, {"type": "MemoryPressure", "status": "False"}],
                        "addresses": [{"type": "InternalIP", "address": "192.168.0.2"}], "nodeInfo": {"kubeletVersion": "v1.31.2"}}}
            """)]
        let series = Self.series(KubeStateMetrics.samples(objects))
        #expect(series[#"kube_deployment_spec_replicas{deployment="web", namespace="shop"}"#] == 4)
        #expect(series[#"kube_deployment_status_replicas_available{deployment="web", namespace="shop"}"#] == 3)
        #expect(series[#"kube_statefulset_replicas{namespace="shop", statefulset="db"}"#] == 3)
        #expect(series[#"kube_statefulset_status_replicas_ready{namespace="shop", statefulset="db"}"#] == 2)
        #expect(series[#"kube_replicaset_owner{namespace="shop", owner_is_controller="true", owner_kind="Deployment", owner_name="web", replicaset="web-7d9f"}"#] == 1)
        #expect(series[#"kube_node_status_allocatable{node="node-a", resource="cpu", unit="core"}"#] == 7.8)
        #expect(series[#"kube_node_status_capacity{node="node-a", resource="memory", unit="byte"}"#] == 34_359_738_368)
        #expect(series[#"kube_node_status_allocatable{node="node-a", resource="pods", unit="integer"}"#] == 110)
        #expect(series[#"kube_node_status_condition{condition="Ready", node="node-a", status="true"}"#] == 1)
        #expect(series[#"kube_node_status_condition{condition="MemoryPressure", node="node-a", status="false"}"#] == 1)
        #expect(series[#"kube_node_info{internal_ip="192.168.0.2", kubelet_version="v1.31.2", node="node-a", provider_id="openstack:///1"}"#] == 1)
        #expect(series[#"kube_node_spec_unschedulable{node="node-a"}"#] == 0)
    }

    @Test func noOwnerIsNone() throws {
        let pod: Pod = try Self.decode(#"{"metadata": {"name": "solo", "namespace": "x", "uid": "u"}, "status": {"phase": "Pending"}}"#)
        let owner = KubeStateMetrics.samples(pod).first { $0.name == "kube_pod_owner" }!
        #expect(Set(owner.labels) == [Label("namespace", "x"), Label("pod", "solo"), Label("uid", "u"), Label("owner_kind", "<none>"),
                                      Label("owner_name", "<none>"), Label("owner_is_controller", "<none>")])
    }
}
