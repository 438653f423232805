/// /proc/stat under node_exporter's names: per-CPU time by mode (`node_cpu_seconds_total`, guest time
/// separately), context switches, forks, interrupts, boot time and process counts.
enum ProcStat {
    /// The kernel reports CPU time in USER_HZ ticks, 100 per second on every Linux architecture.
    static let userHZ = 100.0
    static let modes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]

    static func parse(_ text: String) -> [CollectedSample] {
        var out: [CollectedSample] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let key = fields.first else { continue }
            let numbers = fields.dropFirst().compactMap { Double($0) }
            if key.hasPrefix("cpu") && key != "cpu" {
                let cpu = String(key.dropFirst(3))
                for (index, mode) in modes.enumerated() where index < numbers.count {
                    out.append(CollectedSample("node_cpu_seconds_total", [("cpu", cpu), ("mode", mode)], numbers[index] / userHZ))
                }
                if numbers.count >= 10 {
                    out.append(CollectedSample("node_cpu_guest_seconds_total", [("cpu", cpu), ("mode", "user")], numbers[8] / userHZ))
                    out.append(CollectedSample("node_cpu_guest_seconds_total", [("cpu", cpu), ("mode", "nice")], numbers[9] / userHZ))
                }
                continue
            }
            guard let first = numbers.first else { continue }
            switch key {
            case "intr": out.append(CollectedSample("node_intr_total", [], first))
            case "ctxt": out.append(CollectedSample("node_context_switches_total", [], first))
            case "btime": out.append(CollectedSample("node_boot_time_seconds", [], first))
            case "processes": out.append(CollectedSample("node_forks_total", [], first))
            case "procs_running": out.append(CollectedSample("node_procs_running", [], first))
            case "procs_blocked": out.append(CollectedSample("node_procs_blocked", [], first))
            default: break
            }
        }
        return out
    }
}
