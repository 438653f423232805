import Foundation
import Testing
import TimeSeriesCore
@testable import Collectors

/// The cgroup walk over a Kubernetes-shaped v2 tree, a v1 tree, and this machine's own (hybrid) mounts.
@Suite struct CgroupCollectorTests {
    static let containerID = "9f3a1c27d4b8e6f05a2c4d1e8b7f6a3c9d2e1f0a4b5c6d7e8f9a0b1c2d3e4f5a"
    static let podSlice = "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5b8f2e1a_3c4d_4e5f_8a9b_0c1d2e3f4a5b.slice"

    final class Tree {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("surge-cgroups-\(UUID().uuidString)")

        func write(_ path: String, _ text: String) throws {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(at: root) }
    }

    static func value(_ samples: [CollectedSample], _ name: String, id: String) -> Double? {
        samples.first { $0.name == name && $0.labels.contains(Label("id", id)) }?.value
    }

    @Test func version2TreeWithKubernetesNames() throws {
        let tree = Tree()
        let cgroup = tree.root.appendingPathComponent("cgroup").path
        try tree.write("mountinfo", "30 23 0:26 / \(cgroup) rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n")
        let container = "\(Self.podSlice)/cri-containerd-\(Self.containerID).scope"
        for (group, usage) in [("", "900000000"), (Self.podSlice, "300000000"), (container, "250000000")] {
            let prefix = group.isEmpty ? "cgroup/" : "cgroup/\(group)/"
            try tree.write(prefix + "memory.current", usage + "\n")
            try tree.write(prefix + "memory.stat", "anon 100\nfile 200\ninactive_file 50000000\n")
            try tree.write(prefix + "cpu.stat", "usage_usec 4000000\nuser_usec 3000000\nsystem_usec 1000000\n")
        }
        try tree.write("cgroup/\(container)/cpu.max", "200000 100000\n")
        try tree.write("cgroup/\(container)/io.stat", "254:0 rbytes=4096 wbytes=8192\n259:3 rbytes=1 wbytes=2\n")
        try tree.write("sys/dev/block/254:0/uevent", "MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n")
        // The pod's process, whose network namespace holds the pod's interfaces.
        try tree.write("cgroup/\(container)/cgroup.procs", "4242\n4243\n")
        try tree.write("proc/4242/net/dev", """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
              eth0:  123456     789    2    3    0     0          0         0    65432     321    4    5    0     0       0          0

            """)
        try tree.write("log/containers/web-7d9f_shop_nginx-\(Self.containerID).log", "")
        try tree.write("log/pods/shop_web-7d9f_5b8f2e1a-3c4d-4e5f-8a9b-0c1d2e3f4a5b/nginx/0.log", "")

        let collector = CgroupCollector(mountinfo: tree.root.appendingPathComponent("mountinfo"), logRoot: tree.root.appendingPathComponent("log"),
                                        procRoot: tree.root.appendingPathComponent("proc").path,
                                        sysRoot: tree.root.appendingPathComponent("sys").path)
        let (samples, errors) = collector.collect()
        #expect(errors.isEmpty)
        // Network counters belong to the pod's group, per interface, without the loopback.
        let network = samples.filter { $0.name.hasPrefix("container_network_") }
        #expect(network.count == 8)
        #expect(network.allSatisfy { Set($0.labels) == [Label("id", "/" + Self.podSlice), Label("namespace", "shop"), Label("pod", "web-7d9f"), Label("interface", "eth0")] })
        #expect(network.first { $0.name == "container_network_receive_bytes_total" }?.value == 123_456)
        #expect(network.first { $0.name == "container_network_receive_packets_dropped_total" }?.value == 3)
        #expect(network.first { $0.name == "container_network_transmit_errors_total" }?.value == 4)
        let containerID = "/" + container
        #expect(Self.value(samples, "container_memory_usage_bytes", id: "/") == 900_000_000)
        #expect(Self.value(samples, "container_memory_working_set_bytes", id: containerID) == 200_000_000)
        #expect(Self.value(samples, "container_spec_cpu_quota", id: containerID) == 200_000)
        let labels = Set(samples.first { $0.name == "container_memory_usage_bytes" && $0.labels.contains(Label("id", containerID)) }?.labels ?? [])
        #expect(labels == [Label("id", containerID), Label("container", "nginx"), Label("namespace", "shop"), Label("pod", "web-7d9f")])
        let podLabels = Set(samples.first { $0.name == "container_memory_usage_bytes" && $0.labels.contains(Label("id", "/" + Self.podSlice)) }?.labels ?? [])
        #expect(podLabels == [Label("id", "/" + Self.podSlice), Label("namespace", "shop"), Label("pod", "web-7d9f")])
        // Every group is listed with when it was seen and began, as cAdvisor lists them; the
        // intermediate slices have no figures of their own here.
        func ids(_ name: String) -> Set<String> {
            Set(samples.filter { $0.name == name }.compactMap { $0.labels.first { $0.name == "id" }?.value })
        }
        #expect(ids("container_last_seen").count == 5)
        #expect(ids("container_start_time_seconds") == ids("container_last_seen"))
        #expect(ids("container_memory_usage_bytes").count == 3)
        let cores: Double? = samples.first { $0.name == "machine_cpu_cores" }?.value
        #expect(cores == Double(ProcessInfo.processInfo.activeProcessorCount))
        let names = Set(samples.map(\.name))
        #expect(names.count == 23, "12 cgroup figures, 8 network counters, last seen, start time, CPU cores")
        // Block devices by name where /sys knows them, else by number.
        let devices = Set(samples.filter { $0.name == "container_fs_writes_bytes_total" }.compactMap { $0.labels.first { $0.name == "device" }?.value })
        #expect(devices == ["/dev/vda", "259:3"])
    }

    @Test func version1TreeAcrossControllers() throws {
        let tree = Tree()
        var mountinfo = ""
        for (index, controller) in ["cpu", "cpuacct", "memory", "pids"].enumerated() {
            let path = tree.root.appendingPathComponent("v1/\(controller)").path
            mountinfo += "\(40 + index) 31 0:\(30 + index) / \(path) rw,relatime - cgroup cgroup rw,\(controller)\n"
        }
        try tree.write("mountinfo", mountinfo)
        let group = "kubepods/besteffort/pod11111111-2222-3333-4444-555555555555/\(Self.containerID)"
        try tree.write("v1/memory/\(group)/memory.usage_in_bytes", "4096\n")
        try tree.write("v1/memory/\(group)/memory.stat", "total_inactive_file 1024\n")
        try tree.write("v1/cpuacct/\(group)/cpuacct.usage", "1500000000\n")
        try tree.write("v1/pids/\(group)/pids.current", "3\n")
        let collector = CgroupCollector(mountinfo: tree.root.appendingPathComponent("mountinfo"), logRoot: tree.root.appendingPathComponent("none"))
        let (samples, _) = collector.collect()
        #expect(Self.value(samples, "container_memory_working_set_bytes", id: "/" + group) == 3072)
        #expect(Self.value(samples, "container_cpu_usage_seconds_total", id: "/" + group) == 1.5)
        #expect(Self.value(samples, "container_processes", id: "/" + group) == 3)
    }

    @Test func mountLayouts() {
        let hybrid = CgroupMounts.parse("""
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:5 - cgroup cgroup rw,memory
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """)
        #expect(hybrid.layout == .hybrid)
        #expect(hybrid.v1 == ["cpu": "/sys/fs/cgroup/cpu,cpuacct", "cpuacct": "/sys/fs/cgroup/cpu,cpuacct", "memory": "/sys/fs/cgroup/memory"])
        #expect(hybrid.unified == "/sys/fs/cgroup/unified")
        #expect(CgroupMounts.parse("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n").layout == .v2)
        #expect(CgroupMounts.parse("").layout == .none)
    }

    @Test func thisMachinesOwnHierarchy() throws {
        let text = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        let mounts = CgroupMounts.parse(text)
        try #require(mounts.layout != .none, "no cgroups mounted here")
        let (samples, errors) = CgroupCollector().collect()
        #expect(errors.isEmpty)
        #expect((Self.value(samples, "container_memory_usage_bytes", id: "/") ?? 0) > 0, "layout \(mounts.layout)")
        #expect((Self.value(samples, "container_cpu_usage_seconds_total", id: "/") ?? 0) > 0)
    }
}
