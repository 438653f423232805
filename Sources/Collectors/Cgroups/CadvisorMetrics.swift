/// A cgroup's figures under cAdvisor's metric names, units and labels. `labels` are the container's
/// own (`id`, and `container`, `pod`, `namespace`, `image`, `name` where known). `deviceName` turns
/// a block device's "major:minor" into the name cAdvisor shows ("/dev/vda").
public enum CadvisorMetrics {
    public static func samples(_ stats: CgroupStats, labels: [(String, String)],
                               deviceName: (String) -> String = { $0 }) -> [CollectedSample] {
        var out: [CollectedSample] = []
        func add(_ name: String, _ value: Double?, _ extra: [(String, String)] = []) {
            if let value { out.append(CollectedSample(name, labels + extra, value)) }
        }
        add("container_cpu_usage_seconds_total", stats.cpuUsageSeconds, [("cpu", "total")])
        add("container_cpu_user_seconds_total", stats.cpuUserSeconds)
        add("container_cpu_system_seconds_total", stats.cpuSystemSeconds)
        add("container_cpu_cfs_periods_total", stats.cfsPeriods)
        add("container_cpu_cfs_throttled_periods_total", stats.cfsThrottledPeriods)
        add("container_cpu_cfs_throttled_seconds_total", stats.cfsThrottledSeconds)
        add("container_memory_usage_bytes", stats.memoryUsageBytes)
        add("container_memory_working_set_bytes", stats.memoryWorkingSetBytes)
        add("container_memory_rss", stats.memoryRSSBytes)
        add("container_memory_cache", stats.memoryCacheBytes)
        add("container_memory_swap", stats.memorySwapBytes)
        add("container_oom_events_total", stats.oomEvents)
        add("container_spec_cpu_quota", stats.cpuQuotaMicroseconds)
        add("container_spec_cpu_period", stats.cpuPeriodMicroseconds)
        add("container_spec_cpu_shares", stats.cpuShares)
        // As cAdvisor: 0 when the group has no memory limit.
        add("container_spec_memory_limit_bytes", stats.memoryUsageBytes == nil ? nil : stats.memoryLimitBytes ?? 0)
        for (device, value) in stats.ioReadBytes.sorted(by: { $0.key < $1.key }) {
            add("container_fs_reads_bytes_total", value, [("device", deviceName(device))])
        }
        for (device, value) in stats.ioWriteBytes.sorted(by: { $0.key < $1.key }) {
            add("container_fs_writes_bytes_total", value, [("device", deviceName(device))])
        }
        add("container_processes", stats.processes)
        add("container_pressure_cpu_waiting_seconds_total", stats.cpuPressureWaitingSeconds)
        add("container_pressure_memory_waiting_seconds_total", stats.memoryPressureWaitingSeconds)
        add("container_pressure_memory_stalled_seconds_total", stats.memoryPressureStalledSeconds)
        add("container_pressure_io_waiting_seconds_total", stats.ioPressureWaitingSeconds)
        add("container_pressure_io_stalled_seconds_total", stats.ioPressureStalledSeconds)
        return out
    }
}
