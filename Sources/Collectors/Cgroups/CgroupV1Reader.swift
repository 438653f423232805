/// Reads a cgroup v1 group across its controllers: cpuacct.usage (nanoseconds), cpuacct.stat
/// (USER_HZ ticks), cpu.stat (nanoseconds throttled), cpu.cfs_quota_us, cpu.cfs_period_us,
/// cpu.shares, memory.usage_in_bytes, memory.limit_in_bytes, memory.stat, memory.failcnt,
/// memory.oom_control, blkio.throttle.io_service_bytes and pids.current.
public enum CgroupV1Reader {
    /// The kernel reports memory.limit_in_bytes of an unlimited group as the largest page-aligned
    /// value; anything this large means no limit.
    static let unlimitedMemory = 9.2e18

    /// `file(controller, name)` returns a controller file of the group, nil when it is missing.
    public static func read(_ file: (String, String) -> String?) -> CgroupStats {
        var stats = CgroupStats()
        stats.cpuUsageSeconds = CgroupStats.number(file("cpuacct", "cpuacct.usage")).map { $0 / 1e9 }
        let ticks = CgroupStats.keyValues(file("cpuacct", "cpuacct.stat"))
        stats.cpuUserSeconds = ticks["user"].map { $0 / ProcStat.userHZ }
        stats.cpuSystemSeconds = ticks["system"].map { $0 / ProcStat.userHZ }
        let cpu = CgroupStats.keyValues(file("cpu", "cpu.stat"))
        stats.cfsPeriods = cpu["nr_periods"]
        stats.cfsThrottledPeriods = cpu["nr_throttled"]
        stats.cfsThrottledSeconds = cpu["throttled_time"].map { $0 / 1e9 }
        if let quota = CgroupStats.number(file("cpu", "cpu.cfs_quota_us")), quota > 0 { stats.cpuQuotaMicroseconds = quota }
        stats.cpuPeriodMicroseconds = CgroupStats.number(file("cpu", "cpu.cfs_period_us"))
        stats.cpuShares = CgroupStats.number(file("cpu", "cpu.shares"))
        let memory = CgroupStats.keyValues(file("memory", "memory.stat"))
        stats.memoryUsageBytes = CgroupStats.number(file("memory", "memory.usage_in_bytes"))
        stats.memoryWorkingSetBytes = CgroupStats.workingSet(usage: stats.memoryUsageBytes, inactiveFile: memory["total_inactive_file"])
        stats.memoryRSSBytes = memory["total_rss"]
        stats.memoryCacheBytes = memory["total_cache"]
        stats.memorySwapBytes = memory["total_swap"]
        if let limit = CgroupStats.number(file("memory", "memory.limit_in_bytes")), limit < unlimitedMemory {
            stats.memoryLimitBytes = limit
        }
        stats.oomEvents = CgroupStats.keyValues(file("memory", "memory.oom_control"))["oom_kill"]
        for line in (file("blkio", "blkio.throttle.io_service_bytes") ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let value = Double(fields[2]) else { continue }
            let device = String(fields[0])
            if fields[1] == "Read" { stats.ioReadBytes[device, default: 0] += value }
            if fields[1] == "Write" { stats.ioWriteBytes[device, default: 0] += value }
        }
        stats.processes = CgroupStats.number(file("pids", "pids.current"))
        return stats
    }
}
