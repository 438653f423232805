import Testing
@testable import Collectors

/// Both cgroup versions read into cAdvisor's units, from files as the kernel writes them.
@Suite struct CgroupReaderTests {
    static let v2: [String: String] = [
        "cpu.stat": "usage_usec 2500000\nuser_usec 1500000\nsystem_usec 1000000\nnr_periods 40\nnr_throttled 3\nthrottled_usec 250000\n",
        "cpu.max": "50000 100000\n",
        "cpu.weight": "100\n",
        "memory.current": "104857600\n",
        "memory.max": "max\n",
        "memory.stat": "anon 52428800\nfile 41943040\ninactive_file 20971520\nactive_file 20971520\n",
        "memory.swap.current": "0\n",
        "memory.events": "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n",
        "io.stat": "254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n",
        "pids.current": "7\n",
        "cpu.pressure": "some avg10=0.00 avg60=0.00 avg300=0.00 total=1200000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=300000\n",
        "memory.pressure": "some avg10=0.00 avg60=0.00 avg300=0.00 total=500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=100000\n",
        "io.pressure": "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
    ]

    static let v1: [String: String] = [
        "cpuacct/cpuacct.usage": "2500000000\n",
        "cpuacct/cpuacct.stat": "user 150\nsystem 100\n",
        "cpu/cpu.stat": "nr_periods 40\nnr_throttled 3\nthrottled_time 250000000\n",
        "cpu/cpu.cfs_quota_us": "-1\n",
        "cpu/cpu.cfs_period_us": "100000\n",
        "cpu/cpu.shares": "1024\n",
        "memory/memory.usage_in_bytes": "104857600\n",
        "memory/memory.limit_in_bytes": "268435456\n",
        "memory/memory.stat": "cache 1\nrss 2\ntotal_cache 41943040\ntotal_rss 52428800\ntotal_swap 0\ntotal_inactive_file 125829120\n",
        "memory/memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
        "blkio/blkio.throttle.io_service_bytes": "254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 1\n254:0 Total 12288\nTotal 12288\n",
        "pids/pids.current": "7\n",
    ]

    @Test func version2() {
        let stats = CgroupV2Reader.read { Self.v2[$0] }
        #expect(stats.cpuUsageSeconds == 2.5 && stats.cpuUserSeconds == 1.5 && stats.cpuSystemSeconds == 1)
        #expect(stats.cfsPeriods == 40 && stats.cfsThrottledPeriods == 3 && stats.cfsThrottledSeconds == 0.25)
        #expect(stats.cpuQuotaMicroseconds == 50_000 && stats.cpuPeriodMicroseconds == 100_000)
        // weight 100 is the default of 1024 shares.
        #expect(stats.cpuShares == 2597)
        #expect(stats.memoryUsageBytes == 104_857_600 && stats.memoryWorkingSetBytes == 83_886_080)
        #expect(stats.memoryRSSBytes == 52_428_800 && stats.memoryCacheBytes == 41_943_040 && stats.memorySwapBytes == 0)
        #expect(stats.memoryLimitBytes == nil && stats.oomEvents == 1)
        #expect(stats.ioReadBytes == ["254:0": 4096] && stats.ioWriteBytes == ["254:0": 8192])
        #expect(stats.processes == 7)
        #expect(stats.cpuPressureWaitingSeconds == 1.2 && stats.memoryPressureStalledSeconds == 0.1 && stats.ioPressureWaitingSeconds == 0)
    }

    @Test func version1() {
        let stats = CgroupV1Reader.read { Self.v1["\($0)/\($1)"] }
        #expect(stats.cpuUsageSeconds == 2.5 && stats.cpuUserSeconds == 1.5 && stats.cpuSystemSeconds == 1)
        #expect(stats.cfsPeriods == 40 && stats.cfsThrottledPeriods == 3 && stats.cfsThrottledSeconds == 0.25)
        #expect(stats.cpuQuotaMicroseconds == nil && stats.cpuPeriodMicroseconds == 100_000 && stats.cpuShares == 1024)
        // More inactive file pages than usage: the working set stops at zero.
        #expect(stats.memoryUsageBytes == 104_857_600 && stats.memoryWorkingSetBytes == 0)
        #expect(stats.memoryRSSBytes == 52_428_800 && stats.memoryCacheBytes == 41_943_040)
        #expect(stats.memoryLimitBytes == 268_435_456 && stats.oomEvents == 2)
        #expect(stats.ioReadBytes == ["254:0": 4096] && stats.ioWriteBytes == ["254:0": 8192])
        #expect(stats.processes == 7)
        #expect(stats.cpuPressureWaitingSeconds == nil)
        let unlimited = CgroupV1Reader.read { $1 == "memory.limit_in_bytes" ? "9223372036854771712\n" : Self.v1["\($0)/\($1)"] }
        #expect(unlimited.memoryLimitBytes == nil)
    }

    @Test func cadvisorNamesAndLabels() {
        let samples = CadvisorMetrics.samples(CgroupV2Reader.read { Self.v2[$0] }, labels: [("id", "/kubepods/pod1/abc"), ("pod", "web-1")])
        func value(_ name: String, _ extra: [String: String] = [:]) -> Double? {
            samples.first { sample in
                sample.name == name && extra.allSatisfy { pair in sample.labels.contains { $0.name == pair.key && $0.value == pair.value } }
            }?.value
        }
        #expect(value("container_cpu_usage_seconds_total", ["cpu": "total", "pod": "web-1"]) == 2.5)
        #expect(value("container_memory_working_set_bytes") == 83_886_080)
        #expect(value("container_spec_memory_limit_bytes") == 0)
        #expect(value("container_spec_cpu_quota") == 50_000)
        #expect(value("container_fs_writes_bytes_total", ["device": "254:0"]) == 8192)
        #expect(value("container_pressure_cpu_waiting_seconds_total") == 1.2)
        #expect(value("container_oom_events_total") == 1)
        #expect(Set(samples.map(\.name)).count == 24)
        #expect(samples.allSatisfy { $0.labels.contains { $0.name == "id" && $0.value == "/kubepods/pod1/abc" } })
    }
}
