import Foundation
import Prometheus
import Synchronization

/// The `process_*` series Prometheus' client libraries export, read from /proc at each scrape of
/// /metrics, and `surge_build_info`.
public final class ProcessMetrics: Sendable {
    let cpu: Counter
    let resident, virtual, openFDs, maxFDs, startTime: Gauge
    /// CPU seconds already added to the counter: each scrape adds what was used since.
    let counted = Mutex(0.0)

    public init(registry: PrometheusCollectorRegistry, build: BuildInfo = .current) {
        cpu = registry.makeCounter(name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.")
        resident = registry.makeGauge(name: "process_resident_memory_bytes", help: "Resident memory size in bytes.")
        virtual = registry.makeGauge(name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.")
        openFDs = registry.makeGauge(name: "process_open_fds", help: "Number of open file descriptors.")
        maxFDs = registry.makeGauge(name: "process_max_fds", help: "Maximum number of open file descriptors.")
        startTime = registry.makeGauge(name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.")
        registry.makeGauge(name: "surge_build_info", labels: [("version", build.version), ("revision", build.revision), ("branch", build.branch),
                                                              ("swiftversion", build.swiftVersion)],
                           help: "A metric with a constant '1' value labeled by version, revision, branch and Swift version.").set(to: 1.0)
        refresh()
    }

    /// Reads /proc/self/stat, /proc/stat, /proc/self/fd and the descriptor limit.
    public func refresh() {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") {
            // Fields after the command's closing parenthesis, from the third (state) on.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 21, let user = Double(fields[11]), let system = Double(fields[12]), let started = Double(fields[19]),
               let size = Double(fields[20]), let pages = Double(fields[21]), ticks > 0 {
                let seconds = (user + system) / ticks
                let added = counted.withLock { total in
                    let delta = max(seconds - total, 0)
                    total = max(total, seconds)
                    return delta
                }
                if added > 0 { cpu.increment(by: added) }
                virtual.set(size)
                resident.set(pages * page)
                if let boot = Self.bootTime() { startTime.set(boot + started / ticks) }
            }
        }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") { openFDs.set(Double(entries.count)) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.set(Double(limit.rlim_cur)) }
    }

    static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) }
    }
}
