import Foundation

/// One cgroup's resource figures in cAdvisor's units (seconds, bytes, microseconds for the CFS
/// settings, shares), whichever cgroup version they came from. Nil means the file was not there.
public struct CgroupStats: Sendable, Equatable {
    public var cpuUsageSeconds: Double?
    public var cpuUserSeconds: Double?
    public var cpuSystemSeconds: Double?
    public var cfsPeriods: Double?
    public var cfsThrottledPeriods: Double?
    public var cfsThrottledSeconds: Double?
    public var memoryUsageBytes: Double?
    public var memoryWorkingSetBytes: Double?
    public var memoryRSSBytes: Double?
    public var memoryCacheBytes: Double?
    public var memorySwapBytes: Double?
    public var oomEvents: Double?
    /// CFS quota and period in microseconds; nil quota means unlimited.
    public var cpuQuotaMicroseconds: Double?
    public var cpuPeriodMicroseconds: Double?
    public var cpuShares: Double?
    /// Nil when unlimited.
    public var memoryLimitBytes: Double?
    /// Per device ("major:minor").
    public var ioReadBytes: [String: Double] = [:]
    public var ioWriteBytes: [String: Double] = [:]
    public var processes: Double?
    public var cpuPressureWaitingSeconds: Double?
    public var memoryPressureWaitingSeconds: Double?
    public var memoryPressureStalledSeconds: Double?
    public var ioPressureWaitingSeconds: Double?
    public var ioPressureStalledSeconds: Double?

    public init() {}

    /// `key value` lines (cpu.stat, memory.stat, memory.events) as a dictionary.
    static func keyValues(_ text: String?) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in (text ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = Double(fields[1]) { out[String(fields[0])] = value }
        }
        return out
    }

    /// A file holding one number.
    static func number(_ text: String?) -> Double? {
        text.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Working set as cAdvisor computes it: usage less inactive file pages, never below zero.
    static func workingSet(usage: Double?, inactiveFile: Double?) -> Double? {
        guard let usage else { return nil }
        return max(0, usage - (inactiveFile ?? 0))
    }
}
