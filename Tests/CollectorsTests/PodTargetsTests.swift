@testable import Collectors
import Kubernetes
import Testing

@Suite struct PodTargetsTests {
    static let pod = Pod(
        metadata: {
            var meta = ObjectMeta(name: "web-7d4", namespace: "shop", uid: "u-1",
                                  labels: ["app": "web", "app.kubernetes.io/name": "web"],
                                  annotations: ["prometheus.io/scrape": "true", "prometheus.io/port": "9102"])
            meta.ownerReferences = [OwnerReference(apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7d", uid: "r", controller: true)]
            return meta
        }(),
        spec: Pod.Spec(nodeName: "node-1",
                       containers: [
                           Pod.Container(name: "app", image: "shop/web:2", ports: [Pod.ContainerPort(name: "http", containerPort: 8080),
                                                                                    Pod.ContainerPort(containerPort: 9102, protocol: "UDP")]),
                           Pod.Container(name: "sidecar", image: "envoy:1"),
                       ],
                       initContainers: [Pod.Container(name: "migrate", image: "shop/migrate:2", ports: [Pod.ContainerPort(containerPort: 7000)])]),
        status: Pod.Status(phase: "Running", podIP: "10.1.2.3", hostIP: "192.168.0.5", conditions: [Pod.Condition(type: "Ready", status: "True")]))

    @Test func oneTargetPerPortAndPerPortlessContainerWithPrometheusMetaLabels() {
        let groups = PodTargets.groups(for: Self.pod)
        #expect(groups.map(\.targets) == [["10.1.2.3:8080"], ["10.1.2.3:9102"], ["10.1.2.3"], ["10.1.2.3:7000"]])
        let http = groups[0].labels
        #expect(http == [
            "__meta_kubernetes_namespace": "shop",
            "__meta_kubernetes_pod_name": "web-7d4",
            "__meta_kubernetes_pod_ip": "10.1.2.3",
            "__meta_kubernetes_pod_ready": "true",
            "__meta_kubernetes_pod_phase": "Running",
            "__meta_kubernetes_pod_node_name": "node-1",
            "__meta_kubernetes_pod_host_ip": "192.168.0.5",
            "__meta_kubernetes_pod_uid": "u-1",
            "__meta_kubernetes_pod_controller_kind": "ReplicaSet",
            "__meta_kubernetes_pod_controller_name": "web-7d",
            "__meta_kubernetes_pod_label_app": "web",
            "__meta_kubernetes_pod_labelpresent_app": "true",
            "__meta_kubernetes_pod_label_app_kubernetes_io_name": "web",
            "__meta_kubernetes_pod_labelpresent_app_kubernetes_io_name": "true",
            "__meta_kubernetes_pod_annotation_prometheus_io_scrape": "true",
            "__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape": "true",
            "__meta_kubernetes_pod_annotation_prometheus_io_port": "9102",
            "__meta_kubernetes_pod_annotationpresent_prometheus_io_port": "true",
            "__meta_kubernetes_pod_container_name": "app",
            "__meta_kubernetes_pod_container_image": "shop/web:2",
            "__meta_kubernetes_pod_container_init": "false",
            "__meta_kubernetes_pod_container_port_name": "http",
            "__meta_kubernetes_pod_container_port_number": "8080",
            "__meta_kubernetes_pod_container_port_protocol": "TCP",
        ])
        #expect(groups[1].labels["__meta_kubernetes_pod_container_port_name"] == "")
        #expect(groups[1].labels["__meta_kubernetes_pod_container_port_protocol"] == "UDP")
        #expect(groups[2].labels["__meta_kubernetes_pod_container_name"] == "sidecar")
        #expect(groups[2].labels["__meta_kubernetes_pod_container_port_number"] == nil)
        #expect(groups[3].labels["__meta_kubernetes_pod_container_init"] == "true")
    }

    @Test func podsWithoutAnIPHaveNoTargetsAndReadinessDefaultsToUnknown() {
        var pending = Self.pod
        pending.status?.podIP = nil
        #expect(PodTargets.groups(for: pending).isEmpty)
        var noCondition = Self.pod
        noCondition.status?.conditions = nil
        noCondition.status?.podIP = "fd00::7"
        let groups = PodTargets.groups(for: noCondition)
        #expect(groups.first?.labels["__meta_kubernetes_pod_ready"] == "unknown")
        #expect(groups.first?.targets == ["[fd00::7]:8080"])
    }

    @Test func relabelingTheUsualAnnotationsGivesTheScrapeAddress() throws {
        var config = ScrapeConfig(jobName: "pods")
        config.relabelConfigs = [
            try RelabelRule(action: .keep, sourceLabels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], regex: "true"),
            try RelabelRule(action: .replace, sourceLabels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
                            targetLabel: "__address__", regex: "([^:]+)(?::\\d+)?;(\\d+)", replacement: "$1:$2"),
            try RelabelRule(action: .labelmap, regex: "__meta_kubernetes_pod_label_(.+)"),
            try RelabelRule(action: .replace, sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod"),
        ]
        let targets = config.resolveTargets(discovered: PodTargets.groups(for: Self.pod)).active
        #expect(Set(targets.map(\.url)) == ["http://10.1.2.3:9102/metrics"])
        #expect(targets.first?.labels == ["job": "pods", "instance": "10.1.2.3:9102", "app": "web", "app_kubernetes_io_name": "web", "pod": "web-7d4"])
    }
}
