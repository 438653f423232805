#if canImport(Glibc)
import Glibc
#endif

/// Filesystem usage as node_exporter reports it: `node_filesystem_{size,free,avail}_bytes`,
/// `node_filesystem_files`, `..._files_free`, `..._readonly` and `..._device_error`, labelled with
/// device, fstype and mountpoint, for the mounts node_exporter's default exclusions let through.
enum Filesystems {
    struct Mount: Equatable {
        var device: String
        var mountPoint: String
        var type: String
        var options: [String]
    }

    /// node_exporter's `--collector.filesystem.fs-types-exclude` default.
    static let excludedTypes: Set<String> = [
        "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs", "fusectl",
        "hugetlbfs", "iso9660", "mqueue", "nsfs", "overlay", "proc", "procfs", "pstore", "rpc_pipefs", "securityfs",
        "selinuxfs", "squashfs", "sysfs", "tracefs",
    ]

    /// node_exporter's `--collector.filesystem.mount-points-exclude` default:
    /// `^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)`.
    static func isExcluded(mountPoint: String) -> Bool {
        for top in ["/dev", "/proc", "/run", "/sys", "/mnt", "/media"] where mountPoint == top || mountPoint.hasPrefix(top + "/") {
            return true
        }
        for parent in ["/var/lib/docker/", "/var/lib/containers/storage/"] where mountPoint.hasPrefix(parent) && mountPoint.count > parent.count {
            return true
        }
        return false
    }

    /// /proc/PID/mounts lines: device, mount point, type, options; spaces and such in paths come as
    /// octal escapes (`\040`).
    static func parseMounts(_ text: String) -> [Mount] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count >= 4 else { return nil }
            return Mount(device: unescape(fields[0]), mountPoint: unescape(fields[1]), type: String(fields[2]),
                         options: fields[3].split(separator: ",").map(String.init))
        }
    }

    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let source = Array(field.utf8)
        var i = 0
        while i < source.count {
            if source[i] == UInt8(ascii: "\\"), i + 3 < source.count,
               let code = UInt8(String(decoding: source[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                bytes.append(code)
                i += 4
            } else {
                bytes.append(source[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// What statfs reports, in node_exporter's terms.
    struct Usage: Equatable {
        var size: Double
        var free: Double
        var available: Double
        var files: Double
        var filesFree: Double
    }

    static func samples(_ mounts: [Mount], usage: (String) -> Usage?) -> [CollectedSample] {
        var out: [CollectedSample] = []
        var seen = Set<[String]>()
        for mount in mounts where !excludedTypes.contains(mount.type) && !isExcluded(mountPoint: mount.mountPoint) {
            let labels = [("device", mount.device), ("fstype", mount.type), ("mountpoint", mount.mountPoint)]
            guard seen.insert([mount.device, mount.type, mount.mountPoint]).inserted else { continue }
            guard let stats = usage(mount.mountPoint) else {
                out.append(CollectedSample("node_filesystem_device_error", labels, 1))
                continue
            }
            out.append(CollectedSample("node_filesystem_avail_bytes", labels, stats.available))
            out.append(CollectedSample("node_filesystem_device_error", labels, 0))
            out.append(CollectedSample("node_filesystem_files", labels, stats.files))
            out.append(CollectedSample("node_filesystem_files_free", labels, stats.filesFree))
            out.append(CollectedSample("node_filesystem_free_bytes", labels, stats.free))
            out.append(CollectedSample("node_filesystem_readonly", labels, mount.options.contains("ro") ? 1 : 0))
            out.append(CollectedSample("node_filesystem_size_bytes", labels, stats.size))
        }
        return out
    }

    /// statvfs of `path`, or nil when it fails.
    static func statfs(_ path: String) -> Usage? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        let blockSize = Double(stats.f_frsize == 0 ? stats.f_bsize : stats.f_frsize)
        return Usage(size: Double(stats.f_blocks) * blockSize, free: Double(stats.f_bfree) * blockSize,
                     available: Double(stats.f_bavail) * blockSize, files: Double(stats.f_files), filesFree: Double(stats.f_ffree))
    }
}
