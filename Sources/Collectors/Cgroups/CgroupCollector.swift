import Foundation

/// Walks the cgroup hierarchy and reads every group's figures under cAdvisor's names, one series set
/// per group (`id` is the group's path, "/" for the root), with Kubernetes names where the kubelet's
/// log links give them. On v1 and hybrid layouts the per-controller hierarchies are read (the
/// memory hierarchy gives the list of groups); on v2 the unified one.
public struct CgroupCollector: Sendable {
    public let mountinfo: URL
    public let logRoot: URL
    /// Where PIDs found in cgroup.procs are looked up, for pods' network counters.
    public let procRoot: String
    /// Where block devices' names are looked up by "major:minor" (`<sysRoot>/dev/block/M:m/uevent`).
    public let sysRoot: String
    /// Groups read at most per collection, and how deep the walk goes, so a runaway hierarchy
    /// cannot stall collection.
    public let maxGroups: Int
    public let maxDepth: Int
    /// Names from the kubelet's pods endpoint, when configured; they win over the log links.
    public let kubeletNames: KubeletNamesCache?
    /// The host's root filesystem (a host mount inside a container), for filesystem usage and IDs.
    public let rootfs: String

    public init(mountinfo: URL = URL(fileURLWithPath: "/proc/self/mountinfo"), logRoot: URL = URL(fileURLWithPath: "/var/log"),
                procRoot: String = "/proc", sysRoot: String = "/sys", maxGroups: Int = 10_000, maxDepth: Int = 8,
                kubeletNames: KubeletNamesCache? = nil, rootfs: String = "") {
        self.kubeletNames = kubeletNames
        self.rootfs = rootfs.hasSuffix("/") ? String(rootfs.dropLast()) : rootfs
        self.sysRoot = sysRoot
        self.mountinfo = mountinfo
        self.logRoot = logRoot
        self.procRoot = procRoot
        self.maxGroups = maxGroups
        self.maxDepth = maxDepth
    }

    public func collect() -> (samples: [CollectedSample], errors: [String]) {
        guard let text = try? String(contentsOf: mountinfo, encoding: .utf8) else {
            return ([], ["\(mountinfo.path): cannot be read"])
        }
        let mounts = CgroupMounts.parse(text)
        let files = FileManager.default
        let names = KubernetesNames(
            containerLogs: (try? files.contentsOfDirectory(atPath: logRoot.appendingPathComponent("containers").path)) ?? [],
            podDirectories: (try? files.contentsOfDirectory(atPath: logRoot.appendingPathComponent("pods").path)) ?? [])
            .overridden(by: kubeletNames?.current ?? KubernetesNames())
        var samples = MachineMetrics.samples(procRoot: procRoot, sysRoot: sysRoot, rootfs: rootfs, rootLabels: names.labels(id: "/"))
        let seen = Date().timeIntervalSince1970
        /// Every group's own labels, and the times cAdvisor gives each container.
        func groupLabels(_ id: String, directory: String) -> [(String, String)] {
            let labels = names.labels(id: id.isEmpty ? "/" : id)
            samples.append(CollectedSample("container_last_seen", labels, seen))
            if let start = MachineMetrics.startTime(of: directory) { samples.append(CollectedSample("container_start_time_seconds", labels, start)) }
            return labels
        }
        var deviceNames: [String: String] = [:]
        let deviceName = { (device: String) -> String in
            if let known = deviceNames[device] { return known }
            let name = Self.read(sysRoot + "/dev/block/" + device + "/uevent")?.split(separator: "\n")
                .first { $0.hasPrefix("DEVNAME=") }.map { "/dev/" + $0.dropFirst(8) } ?? device
            deviceNames[device] = name
            return name
        }
        switch mounts.layout {
        case .none:
            return ([], ["no cgroup hierarchy is mounted"])
        case .v2:
            let root = mounts.unified!
            for id in groups(under: root) {
                let stats = CgroupV2Reader.read { Self.read(root + id + "/" + $0) }
                let labels = groupLabels(id, directory: root + id)
                samples += CadvisorMetrics.samples(stats, labels: labels, deviceName: deviceName)
                samples += network(id: id, hierarchy: root, labels: labels)
            }
        case .v1, .hybrid:
            // Groups may exist in some hierarchies only (a systemd unit with CPU accounting alone):
            // the list is the union of every controller's, each group found where it is.
            var listing: [String: String] = [:]
            var order: [String] = []
            for hierarchy in Set(mounts.v1.values).sorted() {
                for id in groups(under: hierarchy) where listing[id] == nil && order.count < maxGroups {
                    listing[id] = hierarchy
                    order.append(id)
                }
            }
            for id in order {
                let hierarchy = listing[id]!
                var stats = CgroupV1Reader.read { controller, file in
                    mounts.v1[controller].flatMap { Self.read($0 + id + "/" + file) }
                }
                // The unified hierarchy of a hybrid layout still has the pressure files.
                if let unified = mounts.unified {
                    let v2 = CgroupV2Reader.read { Self.read(unified + id + "/" + $0) }
                    stats.cpuPressureWaitingSeconds = v2.cpuPressureWaitingSeconds
                    stats.memoryPressureWaitingSeconds = v2.memoryPressureWaitingSeconds
                    stats.memoryPressureStalledSeconds = v2.memoryPressureStalledSeconds
                    stats.ioPressureWaitingSeconds = v2.ioPressureWaitingSeconds
                    stats.ioPressureStalledSeconds = v2.ioPressureStalledSeconds
                }
                let labels = groupLabels(id, directory: hierarchy + id)
                samples += CadvisorMetrics.samples(stats, labels: labels, deviceName: deviceName)
                samples += network(id: id, hierarchy: hierarchy, labels: labels)
            }
        }
        return (samples, [])
    }

    /// Network counters for a pod's own group (where cAdvisor reports them), from one of its processes.
    private func network(id: String, hierarchy: String, labels: [(String, String)]) -> [CollectedSample] {
        guard let path = KubernetesCgroupPath(id), path.containerID == nil,
              let pid = PodNetwork.firstProcess(in: id, root: hierarchy),
              let netDev = Self.read(procRoot + "/" + pid + "/net/dev") else { return [] }
        return PodNetwork.samples(netDev: netDev, labels: labels)
    }

    /// The group paths under a hierarchy's mount point ("" for the root), breadth first.
    func groups(under root: String) -> [String] {
        var out = [""]
        var frontier = [""]
        var depth = 0
        while !frontier.isEmpty && depth < maxDepth && out.count < maxGroups {
            var next: [String] = []
            for group in frontier {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: root + group)) ?? []
                for entry in entries.sorted() where Self.mayBeGroup(entry) {
                    var isDirectory: ObjCBool = false
                    let path = group + "/" + entry
                    guard FileManager.default.fileExists(atPath: root + path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                    next.append(path)
                    out.append(path)
                    if out.count >= maxGroups { return out }
                }
            }
            frontier = next
            depth += 1
        }
        return out
    }

    static let unitSuffixes = [".slice", ".scope", ".service", ".mount", ".socket", ".swap"]

    /// Whether a directory entry can be a child group: controller files all have a dot in their
    /// name; groups rarely do, except systemd units.
    static func mayBeGroup(_ name: String) -> Bool {
        !name.contains(".") || unitSuffixes.contains(where: name.hasSuffix)
    }

    static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }
}
