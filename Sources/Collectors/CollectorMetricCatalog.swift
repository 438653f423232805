import TimeSeriesCore

/// The type and help of every metric the built-in collectors write, for their scrape endpoints and
/// the metadata API: counters are the `_total` names (cAdvisor's and node_exporter's), /proc/vmstat
/// and /proc/net counters are untyped as node_exporter leaves them, everything else is a gauge.
public enum CollectorMetricCatalog {
    public static func metadata(for name: String) -> MetricMetadata {
        if let help = known[name] { return MetricMetadata(type: type(of: name), help: help) }
        for (prefix, help) in families where name.hasPrefix(prefix) {
            return MetricMetadata(type: type(of: name), help: help + " " + name.dropFirst(prefix.count) + ".")
        }
        return MetricMetadata(type: type(of: name), help: "Read by Surge's built-in collector.")
    }

    static func type(of name: String) -> MetricMetadata.Kind {
        if name.hasPrefix("node_vmstat_") || name.hasPrefix("node_netstat_") { return .unknown }
        return name.hasSuffix("_total") ? .counter : .gauge
    }

    /// Families named by a field of the file they come from.
    static let families: [(String, String)] = [
        ("node_memory_", "Field of /proc/meminfo:"),
        ("node_vmstat_", "Field of /proc/vmstat:"),
        ("node_netstat_", "Protocol statistic of /proc/net:"),
        ("node_sockstat_", "Sockets by protocol and state, from /proc/net/sockstat:"),
        ("node_network_receive_", "Network device receive statistic:"),
        ("node_network_transmit_", "Network device transmit statistic:"),
        ("node_disk_", "Block device statistic of /proc/diskstats:"),
        ("node_pressure_", "Pressure stall information:"),
        ("node_filesystem_", "Filesystem statistic from statfs:"),
        ("container_pressure_", "Pressure stall information of the container:"),
        ("container_network_", "Network statistic of the pod's interfaces:"),
    ]

    static let known: [String: String] = [
        "node_boot_time_seconds": "Node boot time, in seconds since the epoch.",
        "node_context_switches_total": "Context switches since boot.",
        "node_cpu_seconds_total": "Seconds the CPUs spent in each mode.",
        "node_cpu_guest_seconds_total": "Seconds the CPUs spent running guests, by mode.",
        "node_forks_total": "Processes created since boot.",
        "node_intr_total": "Interrupts served since boot.",
        "node_procs_running": "Processes in runnable state.",
        "node_procs_blocked": "Processes blocked waiting for I/O.",
        "node_load1": "Load average over 1 minute.",
        "node_load5": "Load average over 5 minutes.",
        "node_load15": "Load average over 15 minutes.",
        "node_entropy_available_bits": "Entropy the kernel has available, in bits.",
        "node_entropy_pool_size_bits": "Size of the kernel's entropy pool, in bits.",
        "node_filefd_allocated": "File descriptors allocated on the node.",
        "node_filefd_maximum": "Most file descriptors the node allows.",
        "node_os_info": "Constant 1, labelled with the fields of os-release.",
        "node_os_version": "Major and minor version of the operating system, from os-release.",
        "node_time_seconds": "Wall clock time of the node, in seconds since the epoch.",
        "node_time_zone_offset_seconds": "Offset of the node's time zone from UTC, in seconds.",
        "node_time_clocksource_available_info": "Constant 1 for each clock source the kernel offers.",
        "node_time_clocksource_current_info": "Constant 1 for the clock source the kernel uses.",
        "node_uname_info": "Constant 1, labelled with the fields of uname(2).",
        "container_cpu_usage_seconds_total": "CPU time consumed, in seconds.",
        "container_cpu_user_seconds_total": "CPU time consumed in user mode, in seconds.",
        "container_cpu_system_seconds_total": "CPU time consumed in kernel mode, in seconds.",
        "container_cpu_cfs_periods_total": "Enforcement periods elapsed under a CPU quota.",
        "container_cpu_cfs_throttled_periods_total": "Enforcement periods in which the container was throttled.",
        "container_cpu_cfs_throttled_seconds_total": "Time the container was throttled, in seconds.",
        "container_memory_usage_bytes": "Memory in use, page cache included, in bytes.",
        "container_memory_working_set_bytes": "Memory in use minus inactive file pages, in bytes.",
        "container_memory_rss": "Anonymous memory and swap cache, in bytes.",
        "container_memory_cache": "Page cache memory, in bytes.",
        "container_memory_swap": "Swap in use, in bytes.",
        "container_oom_events_total": "Processes of the container killed for lack of memory.",
        "container_spec_cpu_quota": "CPU quota per period, in microseconds.",
        "container_spec_cpu_period": "CPU quota enforcement period, in microseconds.",
        "container_spec_cpu_shares": "CPU shares (weight) of the container.",
        "container_spec_memory_limit_bytes": "Memory limit, in bytes; 0 when there is none.",
        "container_fs_reads_bytes_total": "Bytes read from each block device.",
        "container_fs_writes_bytes_total": "Bytes written to each block device.",
        "container_fs_usage_bytes": "Bytes in use on each filesystem.",
        "container_fs_limit_bytes": "Bytes the container can use on each filesystem.",
        "container_processes": "Processes in the container.",
        "container_last_seen": "When the collector last saw the container, in seconds since the epoch.",
        "container_start_time_seconds": "When the container's group was created, in seconds since the epoch.",
        "machine_cpu_cores": "Logical CPUs of the machine.",
        "machine_memory_bytes": "Memory of the machine, in bytes.",
    ]
}
