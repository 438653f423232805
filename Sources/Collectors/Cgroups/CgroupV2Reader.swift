import Foundation

/// Reads a cgroup v2 directory: cpu.stat (microseconds), cpu.max, cpu.weight, memory.current,
/// memory.max, memory.stat, memory.swap.current, memory.events, io.stat, pids.current and the
/// *.pressure files.
public enum CgroupV2Reader {
    /// `file` returns a file's contents in the cgroup's directory, nil when it is missing.
    public static func read(_ file: (String) -> String?) -> CgroupStats {
        var stats = CgroupStats()
        let cpu = CgroupStats.keyValues(file("cpu.stat"))
        stats.cpuUsageSeconds = cpu["usage_usec"].map { $0 / 1e6 }
        stats.cpuUserSeconds = cpu["user_usec"].map { $0 / 1e6 }
        stats.cpuSystemSeconds = cpu["system_usec"].map { $0 / 1e6 }
        stats.cfsPeriods = cpu["nr_periods"]
        stats.cfsThrottledPeriods = cpu["nr_throttled"]
        stats.cfsThrottledSeconds = cpu["throttled_usec"].map { $0 / 1e6 }
        if let max = file("cpu.max")?.split(whereSeparator: \.isWhitespace), max.count == 2 {
            stats.cpuQuotaMicroseconds = Double(max[0])
            stats.cpuPeriodMicroseconds = Double(max[1])
        }
        // cAdvisor turns the v2 weight back into v1 shares.
        stats.cpuShares = CgroupStats.number(file("cpu.weight")).map { 2 + ((($0 - 1) * 262_142) / 9_999).rounded(.down) }
        let memory = CgroupStats.keyValues(file("memory.stat"))
        stats.memoryUsageBytes = CgroupStats.number(file("memory.current"))
        stats.memoryWorkingSetBytes = CgroupStats.workingSet(usage: stats.memoryUsageBytes, inactiveFile: memory["inactive_file"])
        stats.memoryRSSBytes = memory["anon"]
        stats.memoryCacheBytes = memory["file"]
        stats.memorySwapBytes = CgroupStats.number(file("memory.swap.current"))
        stats.memoryLimitBytes = CgroupStats.number(file("memory.max"))
        stats.oomEvents = CgroupStats.keyValues(file("memory.events"))["oom_kill"]
        for line in (file("io.stat") ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let device = fields.first.map(String.init) else { continue }
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=")
                guard pair.count == 2, let value = Double(pair[1]) else { continue }
                if pair[0] == "rbytes" { stats.ioReadBytes[device] = value }
                if pair[0] == "wbytes" { stats.ioWriteBytes[device] = value }
            }
        }
        stats.processes = CgroupStats.number(file("pids.current"))
        let cpuPressure = Pressure.totals(file("cpu.pressure"))
        stats.cpuPressureWaitingSeconds = cpuPressure.some
        let memoryPressure = Pressure.totals(file("memory.pressure"))
        stats.memoryPressureWaitingSeconds = memoryPressure.some
        stats.memoryPressureStalledSeconds = memoryPressure.full
        let ioPressure = Pressure.totals(file("io.pressure"))
        stats.ioPressureWaitingSeconds = ioPressure.some
        stats.ioPressureStalledSeconds = ioPressure.full
        return stats
    }
}
