import Foundation

/// What cAdvisor reports about the machine and the root container beside the per-group figures:
/// `machine_cpu_cores`, `machine_memory_bytes` (labelled with boot, machine and system IDs where
/// readable), and the root container's `container_fs_usage_bytes` / `container_fs_limit_bytes` for
/// each block-device filesystem. Containers' own writable layers are not measured.
enum MachineMetrics {
    static func samples(procRoot: String, sysRoot: String, rootfs: String, rootLabels: [(String, String)]) -> [CollectedSample] {
        func read(_ path: String) -> String? {
            (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var ids: [(String, String)] = []
        if let boot = read(procRoot + "/sys/kernel/random/boot_id") { ids.append(("boot_id", boot)) }
        if let machine = read(rootfs + "/etc/machine-id") { ids.append(("machine_id", machine)) }
        if let uuid = read(sysRoot + "/class/dmi/id/product_uuid") { ids.append(("system_uuid", uuid)) }
        var out = [CollectedSample("machine_cpu_cores", ids, Double(sysconf(Int32(_SC_NPROCESSORS_ONLN))))]
        if let meminfo = read(procRoot + "/meminfo"),
           let total = Meminfo.parse(meminfo).first(where: { $0.name == "node_memory_MemTotal_bytes" }) {
            out.append(CollectedSample("machine_memory_bytes", ids, total.value))
        }
        var seen = Set<String>()
        for mount in Filesystems.parseMounts(read(procRoot + "/1/mounts") ?? "") where mount.device.hasPrefix("/dev/") {
            guard seen.insert(mount.device).inserted, let usage = Filesystems.statfs(rootfs + mount.mountPoint) else { continue }
            let labels = rootLabels + [("device", mount.device)]
            out.append(CollectedSample("container_fs_limit_bytes", labels, usage.size))
            out.append(CollectedSample("container_fs_usage_bytes", labels, usage.size - usage.free))
        }
        return out
    }

    /// When a group began, as cAdvisor dates a raw cgroup: its directory's change time.
    static func startTime(of directory: String) -> Double? {
        var info = stat()
        guard stat(directory, &info) == 0 else { return nil }
        return Double(info.st_ctim.tv_sec) + Double(info.st_ctim.tv_nsec) / 1e9
    }
}
