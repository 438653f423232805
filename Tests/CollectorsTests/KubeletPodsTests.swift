import AsyncHTTPClient
import Foundation
import Kubernetes
import Logging
import SurgeTestKit
import Testing
import TimeSeriesCore
@testable import Collectors

/// Container names and images from the kubelet's /pods, in the cgroup collector's labels.
@Suite struct KubeletPodsTests {
    static let containerID = CgroupCollectorTests.containerID
    static let podUID = "5b8f2e1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"

    /// A pod as the kubelet's /pods returns it: statuses carry the runtime's ID and the resolved image.
    static let pod: JSONValue = [
        "metadata": ["name": "web-7d9f", "namespace": "shop", "uid": .string(podUID)],
        "spec": ["containers": [["name": "nginx", "image": "nginx:1.25"]]],
        "status": ["phase": "Running", "podIP": "10.0.0.5",
                   "containerStatuses": [["name": "nginx", "containerID": .string("containerd://" + containerID),
                                          "image": "docker.io/library/nginx:1.25", "ready": true, "restartCount": 0]]],
    ]

    @Test func namesFromThePodsEndpoint() throws {
        let list = try JSONDecoder().decode(PodList.self, from: JSONValue(dictionaryLiteral: ("items", [Self.pod])).encoded())
        let names = KubeletPods.names(from: list.items)
        #expect(names.containers[Self.containerID] == .init(pod: "web-7d9f", namespace: "shop", container: "nginx", image: "docker.io/library/nginx:1.25"))
        #expect(names.pods[Self.podUID].map { [$0.namespace, $0.pod] } == ["shop", "web-7d9f"])
        let id = "/\(CgroupCollectorTests.podSlice)/cri-containerd-\(Self.containerID).scope"
        let labels = Dictionary(uniqueKeysWithValues: names.labels(id: id))
        #expect(labels == ["id": id, "container": "nginx", "namespace": "shop", "pod": "web-7d9f",
                           "image": "docker.io/library/nginx:1.25", "name": Self.containerID])
        // Log-link names lack the image; the kubelet's win where both know a container.
        let fromLogs = KubernetesNames(containerLogs: ["old-pod_shop_nginx-\(Self.containerID).log"], podDirectories: [])
        #expect(fromLogs.overridden(by: names).containers[Self.containerID]?.pod == "web-7d9f")
        #expect(Dictionary(uniqueKeysWithValues: fromLogs.labels(id: id))["image"] == nil)
    }

    @Test func serviceFillsTheCacheFromTheKubeletAndKeepsItOnErrors() async throws {
        let pods = SharedValue<[JSONValue]>([Self.pod])
        try await FakeKubelet.with(token: "node-reader", pods: pods) { url in
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let tokenFile = directory.path + "/token"
            try "node-reader\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let cache = KubeletNamesCache()
            let service = KubeletNamesService(config: KubeletConfig(url: url, tokenFile: tokenFile), cache: cache, logger: Logger(label: "test"))
            try await service.refresh(http)
            #expect(cache.current.containers[Self.containerID]?.image == "docker.io/library/nginx:1.25")

            try "someone-else".write(toFile: tokenFile, atomically: true, encoding: .utf8)
            pods.update { $0 = [] }
            let error = await #expect(throws: KubernetesError.self) { try await service.refresh(http) }
            #expect(error?.statusCode == 403)
            #expect(cache.current.containers.count == 1)
            try await http.shutdown()
        }
    }
}
