/// Where the cgroup hierarchies are mounted, from /proc/self/mountinfo, and which layout that is:
/// v1 (one hierarchy per controller), v2 (one unified hierarchy) or hybrid (v1 controllers plus an
/// empty unified hierarchy, usually at /sys/fs/cgroup/unified).
public struct CgroupMounts: Sendable, Equatable {
    public enum Layout: String, Sendable { case v1, v2, hybrid, none }

    /// Mount point of each v1 controller ("cpu", "cpuacct", "memory", "blkio", "pids", ...).
    public var v1: [String: String] = [:]
    /// Mount point of the unified (v2) hierarchy.
    public var unified: String?

    public init(v1: [String: String] = [:], unified: String? = nil) {
        self.v1 = v1
        self.unified = unified
    }

    public var layout: Layout {
        switch (!v1.isEmpty, unified != nil) {
        case (true, true): .hybrid
        case (true, false): .v1
        case (false, true): .v2
        case (false, false): .none
        }
    }

    /// Lines are `id parent major:minor root mountpoint options [optional fields] - fstype source superoptions`.
    public static func parse(_ mountinfo: String) -> CgroupMounts {
        var mounts = CgroupMounts()
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let separator = fields.firstIndex(of: "-"), fields.count > separator + 3, fields.count > 4 else { continue }
            let mountPoint = Filesystems.unescape(fields[4])
            switch fields[separator + 1] {
            case "cgroup2":
                mounts.unified = mounts.unified ?? mountPoint
            case "cgroup":
                for option in fields[separator + 3].split(separator: ",") {
                    let name = String(option)
                    if ["cpu", "cpuacct", "memory", "blkio", "pids", "cpuset"].contains(name) || name.hasPrefix("name=") {
                        mounts.v1[name] = mounts.v1[name] ?? mountPoint
                    }
                }
            default:
                continue
            }
        }
        return mounts
    }
}
