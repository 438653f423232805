import Foundation

/// Reads the node's /proc files (under `root`, "/proc" on a real node, a fixture tree in tests) and
/// turns them into node_exporter-named samples. A file that cannot be read is left out and named
/// in the errors, so one missing file does not hide the rest. Filesystems are those of the mount
/// table of PID 1 (as node_exporter reads it), measured with statvfs under `rootfs`.
public struct NodeCollector: Sendable {
    public let root: URL
    public let rootfs: String
    /// Where the clock sources are read (`<sysRoot>/devices/system/clocksource`).
    public let sysRoot: String

    public init(root: URL = URL(fileURLWithPath: "/proc"), rootfs: String = "/", sysRoot: String = "/sys") {
        self.root = root
        self.rootfs = rootfs
        self.sysRoot = sysRoot
    }

    public func collect() -> (samples: [CollectedSample], errors: [String]) {
        var samples: [CollectedSample] = []
        var errors: [String] = []
        func read(_ path: String, _ parse: (String) -> [CollectedSample]) {
            do {
                samples += parse(try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8))
            } catch {
                errors.append("\(root.appendingPathComponent(path).path): \(error.localizedDescription)")
            }
        }
        read("stat", ProcStat.parse)
        read("meminfo", Meminfo.parse)
        read("loadavg", LoadAverage.parse)
        read("net/dev", NetDev.parse)
        read("diskstats", DiskStats.parse)
        for resource in ["cpu", "io", "memory"] {
            read("pressure/\(resource)") { Pressure.parse($0, resource: resource) }
        }
        read("vmstat", KernelStatistics.vmstat)
        read("net/netstat", KernelStatistics.netstatPairs)
        read("net/snmp", KernelStatistics.netstatPairs)
        read("net/snmp6", KernelStatistics.snmp6)
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        read("net/sockstat") { KernelStatistics.sockstat($0, pageSize: pageSize) }
        read("net/sockstat6") { KernelStatistics.sockstat($0, pageSize: pageSize) }
        read("sys/fs/file-nr", KernelStatistics.filefd)
        read("sys/kernel/random/entropy_avail", KernelStatistics.single("node_entropy_available_bits"))
        read("sys/kernel/random/poolsize", KernelStatistics.single("node_entropy_pool_size_bits"))
        let prefix = rootfs.hasSuffix("/") ? String(rootfs.dropLast()) : rootfs
        read("1/mounts") { Filesystems.samples(Filesystems.parseMounts($0)) { Filesystems.statfs(prefix + $0) } }
        samples += SystemInfo.uname() + SystemInfo.time(now: Date(), sysRoot: sysRoot)
        // As node_exporter: the host's os-release under the root filesystem, else the one under /usr/lib.
        if let text = [prefix + "/etc/os-release", prefix + "/usr/lib/os-release"].lazy
            .compactMap({ try? String(contentsOfFile: $0, encoding: .utf8) }).first {
            samples += SystemInfo.osRelease(text)
        }
        return (samples, errors)
    }
}
