import Foundation

/// Reads the node's /proc files (under `root`, "/proc" on a real node, a fixture tree in tests) and
/// turns them into node_exporter-named samples. A file that cannot be read is left out and named
/// in the errors, so one missing file does not hide the rest. Filesystems are those of the mount
/// table of PID 1 (as node_exporter reads it), measured with statvfs under `rootfs`.
public struct NodeCollector: Sendable {
    public let root: URL
    public let rootfs: String

    public init(root: URL = URL(fileURLWithPath: "/proc"), rootfs: String = "/") {
        self.root = root
        self.rootfs = rootfs
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
        let prefix = rootfs.hasSuffix("/") ? String(rootfs.dropLast()) : rootfs
        read("1/mounts") { Filesystems.samples(Filesystems.parseMounts($0)) { Filesystems.statfs(prefix + $0) } }
        return (samples, errors)
    }
}
