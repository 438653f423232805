import Testing
@testable import Collectors

@Suite struct KubernetesCgroupPathTests {
    static let id = "9f3a1c27d4b8e6f05a2c4d1e8b7f6a3c9d2e1f0a4b5c6d7e8f9a0b1c2d3e4f5a"

    @Test(arguments: [
        // systemd driver, containerd / CRI-O / Docker
        ("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5b8f2e1a_3c4d_4e5f_8a9b_0c1d2e3f4a5b.slice/cri-containerd-\(id).scope",
         KubernetesCgroupPath(qos: .burstable, podUID: "5b8f2e1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", containerID: id)),
        ("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod11111111_2222_3333_4444_555555555555.slice/crio-\(id).scope",
         KubernetesCgroupPath(qos: .besteffort, podUID: "11111111-2222-3333-4444-555555555555", containerID: id)),
        ("/kubepods.slice/kubepods-pod11111111_2222_3333_4444_555555555555.slice/docker-\(id).scope",
         KubernetesCgroupPath(qos: .guaranteed, podUID: "11111111-2222-3333-4444-555555555555", containerID: id)),
        // the pod's own cgroup
        ("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod11111111_2222_3333_4444_555555555555.slice",
         KubernetesCgroupPath(qos: .burstable, podUID: "11111111-2222-3333-4444-555555555555", containerID: nil)),
        // cgroupfs driver
        ("/kubepods/burstable/pod5b8f2e1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b/\(id)",
         KubernetesCgroupPath(qos: .burstable, podUID: "5b8f2e1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", containerID: id)),
        ("/kubepods/pod5b8f2e1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b/\(id)",
         KubernetesCgroupPath(qos: .guaranteed, podUID: "5b8f2e1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", containerID: id)),
        ("/kubepods/besteffort/pod5b8f2e1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
         KubernetesCgroupPath(qos: .besteffort, podUID: "5b8f2e1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b", containerID: nil)),
    ])
    func podAndContainerFromThePath(path: String, expected: KubernetesCgroupPath) {
        #expect(KubernetesCgroupPath(path) == expected)
    }

    @Test(arguments: [
        "/system.slice/containerd.service",
        "/kubepods.slice",
        "/kubepods.slice/kubepods-burstable.slice",
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod11111111_2222_3333_4444_555555555555.slice/crio-conmon-\(id).scope",
        "/kubepods/burstable/pod1/\(id)/extra",
        "/user.slice/user-1000.slice",
    ])
    func otherPathsAreNotContainers(path: String) {
        #expect(KubernetesCgroupPath(path) == nil)
    }
}
