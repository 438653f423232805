import Foundation

/// What a cgroup path says about the Kubernetes pod and container it holds, for both kubelet cgroup
/// drivers and the usual runtimes:
///
/// - systemd: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice/cri-containerd-<id>.scope`
///   (the pod UID with underscores for dashes; `crio-<id>.scope` and `docker-<id>.scope` alike);
/// - cgroupfs: `/kubepods/burstable/pod<uid>/<id>`.
///
/// Guaranteed pods sit directly under the kubepods level. A path with a pod but no container is the
/// pod's own cgroup.
public struct KubernetesCgroupPath: Sendable, Equatable {
    public enum QoS: String, Sendable {
        case guaranteed, burstable, besteffort
    }

    public var qos: QoS
    public var podUID: String
    public var containerID: String?

    public init(qos: QoS, podUID: String, containerID: String?) {
        self.qos = qos
        self.podUID = podUID
        self.containerID = containerID
    }

    /// Nil for paths outside the kubepods hierarchy, and for runtime helpers (such as CRI-O's conmon).
    public init?(_ path: String) {
        let parts = path.split(separator: "/").map(String.init)
        guard let root = parts.firstIndex(where: { $0 == "kubepods" || $0 == "kubepods.slice" }) else { return nil }
        let systemd = parts[root].hasSuffix(".slice")
        var index = root + 1
        var qos = QoS.guaranteed
        if index < parts.count, let level = Self.qosLevel(parts[index], systemd: systemd) {
            qos = level
            index += 1
        }
        guard index < parts.count, let uid = Self.podUID(parts[index], systemd: systemd) else { return nil }
        index += 1
        var container: String?
        if index < parts.count {
            guard let id = Self.containerID(parts[index], systemd: systemd) else { return nil }
            container = id
            guard index + 1 == parts.count else { return nil }
        }
        self.init(qos: qos, podUID: uid, containerID: container)
    }

    private static func qosLevel(_ part: String, systemd: Bool) -> QoS? {
        let name = systemd ? (part.hasPrefix("kubepods-") && part.hasSuffix(".slice") ? String(part.dropFirst(9).dropLast(6)) : "") : part
        return name == "burstable" ? .burstable : name == "besteffort" ? .besteffort : nil
    }

    private static func podUID(_ part: String, systemd: Bool) -> String? {
        if systemd {
            guard part.hasSuffix(".slice"), let range = part.range(of: "pod", options: .backwards) else { return nil }
            let uid = part[range.upperBound..<part.index(part.endIndex, offsetBy: -6)]
            return uid.isEmpty ? nil : uid.replacingOccurrences(of: "_", with: "-")
        }
        guard part.hasPrefix("pod"), part.count > 3 else { return nil }
        return String(part.dropFirst(3))
    }

    private static func containerID(_ part: String, systemd: Bool) -> String? {
        var name = Substring(part)
        if name.hasSuffix(".scope") { name = name.dropLast(6) }
        for prefix in ["cri-containerd-", "crio-", "docker-"] where name.hasPrefix(prefix) {
            name = name.dropFirst(prefix.count)
            break
        }
        guard name.count >= 12, name.allSatisfy(\.isHexDigit) else { return nil }
        return String(name)
    }
}
