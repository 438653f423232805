import Foundation

/// A pod's network counters under cAdvisor's names, read from /proc/PID/net/dev of a process in the
/// pod (all containers of a pod share its network namespace), per interface, loopback left out.
enum PodNetwork {
    /// (metric, column in /proc/net/dev)
    static let columns: [(String, Int)] = [
        ("container_network_receive_bytes_total", 0), ("container_network_receive_packets_total", 1),
        ("container_network_receive_errors_total", 2), ("container_network_receive_packets_dropped_total", 3),
        ("container_network_transmit_bytes_total", 8), ("container_network_transmit_packets_total", 9),
        ("container_network_transmit_errors_total", 10), ("container_network_transmit_packets_dropped_total", 11),
    ]

    static func samples(netDev: String, labels: [(String, String)]) -> [CollectedSample] {
        NetDev.interfaces(netDev).filter { $0.device != "lo" }.flatMap { device, counters in
            columns.map { CollectedSample($0.0, labels + [("interface", device)], counters[$0.1]) }
        }
    }

    /// The first process found in the group or its children (a pod's own group holds none itself).
    static func firstProcess(in group: String, root: String) -> String? {
        var candidates = [group]
        var seen = 0
        while !candidates.isEmpty && seen < 64 {
            let current = candidates.removeFirst()
            seen += 1
            if let procs = try? String(contentsOfFile: root + current + "/cgroup.procs", encoding: .utf8),
               let pid = procs.split(separator: "\n").first {
                return String(pid)
            }
            let children = (try? FileManager.default.contentsOfDirectory(atPath: root + current)) ?? []
            candidates += children.sorted().filter(CgroupCollector.mayBeGroup).map { current + "/" + $0 }
        }
        return nil
    }
}
