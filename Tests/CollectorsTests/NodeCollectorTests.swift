import Foundation
import Testing
import TimeSeriesCore
@testable import Collectors

/// The node collector over a frozen /proc tree (taken from a test machine) and over the live /proc.
@Suite struct NodeCollectorTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/proc")

    static func value(_ samples: [CollectedSample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && Dictionary(uniqueKeysWithValues: $0.labels.map { ($0.name, $0.value) }) == labels }?.value
    }

    @Test func fixtureTreeUnderNodeExporterNames() {
        let (samples, errors) = NodeCollector(root: Self.fixture).collect()
        #expect(errors.isEmpty)
        // /proc/stat: USER_HZ ticks to seconds, per CPU and mode; guest time separately.
        #expect(Self.value(samples, "node_cpu_seconds_total", ["cpu": "0", "mode": "user"]) == 4790.06)
        #expect(Self.value(samples, "node_cpu_seconds_total", ["cpu": "1", "mode": "idle"]) == 6639.65)
        #expect(Self.value(samples, "node_cpu_seconds_total", ["cpu": "1", "mode": "steal"]) == 3.53)
        #expect(Self.value(samples, "node_cpu_guest_seconds_total", ["cpu": "0", "mode": "user"]) == 1.2)
        #expect(Self.value(samples, "node_cpu_guest_seconds_total", ["cpu": "0", "mode": "nice"]) == 0.03)
        #expect(samples.filter { $0.name == "node_cpu_seconds_total" }.count == 16)
        #expect(Self.value(samples, "node_context_switches_total") == 15_851_178)
        #expect(Self.value(samples, "node_intr_total") == 8_982_216)
        #expect(Self.value(samples, "node_boot_time_seconds") == 1_795_319_654)
        #expect(Self.value(samples, "node_forks_total") == 137_809)
        #expect(Self.value(samples, "node_procs_running") == 2)
        #expect(Self.value(samples, "node_procs_blocked") == 1)
        // /proc/meminfo: kB to bytes, parentheses to underscores, counts without a unit.
        #expect(Self.value(samples, "node_memory_MemTotal_bytes").map { $0.truncatingRemainder(dividingBy: 1024) } == 0)
        #expect(samples.contains { $0.name == "node_memory_Active_anon_bytes" })
        #expect(samples.contains { $0.name == "node_memory_HugePages_Total" })
        // /proc/vmstat, /proc/net and /proc/sys as node_exporter's default filters keep them.
        #expect(Self.value(samples, "node_vmstat_pgmajfault") == 405_983)
        #expect(Self.value(samples, "node_vmstat_oom_kill") == 0)
        #expect(!samples.contains { $0.name == "node_vmstat_numa_hit" || $0.name == "node_vmstat_nr_free_pages" })
        #expect(Self.value(samples, "node_netstat_Tcp_ActiveOpens") == 32_004)
        #expect(Self.value(samples, "node_netstat_Tcp_RetransSegs") == 4_092)
        #expect(!samples.contains { $0.name == "node_netstat_Tcp_RtoMin" })
        #expect(samples.contains { $0.name == "node_netstat_Ip6_InOctets" })
        #expect(samples.contains { $0.name == "node_netstat_TcpExt_ListenDrops" })
        #expect(Self.value(samples, "node_sockstat_sockets_used") == 142)
        #expect(Self.value(samples, "node_sockstat_TCP_tw") == 7)
        #expect(Self.value(samples, "node_sockstat_TCP_mem_bytes") == 3 * Double(sysconf(Int32(_SC_PAGESIZE))))
        #expect(Self.value(samples, "node_sockstat_FRAG_memory") == 0)
        #expect(Self.value(samples, "node_filefd_allocated") == 1216)
        #expect(Self.value(samples, "node_filefd_maximum") == 2_466_239)
        #expect(Self.value(samples, "node_entropy_available_bits") == 256)
        // /proc/loadavg
        #expect(Self.value(samples, "node_load1") == 0.83)
        #expect(Self.value(samples, "node_load15") == 0.91)
        // /proc/net/dev, without the loopback.
        #expect(Self.value(samples, "node_network_receive_bytes_total", ["device": "eth0"]) == 79_615_640)
        #expect(Self.value(samples, "node_network_receive_drop_total", ["device": "eth0"]) == 3)
        #expect(Self.value(samples, "node_network_receive_multicast_total", ["device": "eth0"]) == 7)
        #expect(Self.value(samples, "node_network_transmit_packets_total", ["device": "eth0"]) == 1271)
        #expect(!samples.contains { $0.labels.contains(Label("device", "lo")) })
        // /proc/diskstats: sectors to bytes, milliseconds to seconds, loop devices left out.
        #expect(Self.value(samples, "node_disk_reads_completed_total", ["device": "vda"]) == 1_393_729)
        #expect(Self.value(samples, "node_disk_read_bytes_total", ["device": "vda"]) == Double(131_082_930 * 512))
        #expect(Self.value(samples, "node_disk_read_time_seconds_total", ["device": "vda"]) == 2130.356)
        #expect(Self.value(samples, "node_disk_io_time_weighted_seconds_total", ["device": "vda"]) == 2422.578)
        #expect(Self.value(samples, "node_disk_flush_requests_total", ["device": "vda"]) == 99_956)
        #expect(!samples.contains { $0.labels.contains(Label("device", "loop0")) })
        // /proc/pressure: microseconds to seconds; cpu has no "full".
        #expect(Self.value(samples, "node_pressure_cpu_waiting_seconds_total") == 1558.606279)
        #expect(Self.value(samples, "node_pressure_io_stalled_seconds_total") == 88.47257)
        #expect(!samples.contains { $0.name == "node_pressure_cpu_stalled_seconds_total" })
    }

    @Test func filesystemsAsNodeExporterFiltersAndLabelsThem() {
        let (samples, _) = NodeCollector(root: Self.fixture).collect()
        let filesystems = samples.filter { $0.name.hasPrefix("node_filesystem_") }
        let mountPoints = Set(filesystems.compactMap { $0.labels.first { $0.name == "mountpoint" }?.value })
        // proc, overlay, cgroup2, /dev and docker's container mounts are left out; the duplicate "/" counts once.
        #expect(mountPoints == ["/", "/srv/no such mount"])
        #expect(filesystems.filter { $0.labels.contains(Label("mountpoint", "/")) }.count == 7)
        let root = [("device", "/dev/vda"), ("fstype", "ext4"), ("mountpoint", "/")].map { Label($0.0, $0.1) }
        let size = filesystems.first { $0.name == "node_filesystem_size_bytes" && $0.labels == root }?.value ?? 0
        let available = filesystems.first { $0.name == "node_filesystem_avail_bytes" && $0.labels == root }?.value ?? -1
        #expect(size > 0 && available >= 0 && available <= size)
        #expect(filesystems.first { $0.name == "node_filesystem_device_error" && $0.labels == root }?.value == 0)
        // A mount point statvfs cannot reach reports only the device error.
        let missing = filesystems.filter { $0.labels.contains(Label("mountpoint", "/srv/no such mount")) }
        #expect(missing.map(\.name) == ["node_filesystem_device_error"] && missing.first?.value == 1)
    }

    @Test func mountTableFieldsAndReadOnlyFlag() {
        let mounts = Filesystems.parseMounts("/dev/sdb1 /data/a\\040b xfs ro,noatime 0 0\nshort line\n")
        #expect(mounts == [Filesystems.Mount(device: "/dev/sdb1", mountPoint: "/data/a b", type: "xfs", options: ["ro", "noatime"])])
        let usage = Filesystems.Usage(size: 100, free: 40, available: 30, files: 10, filesFree: 5)
        let samples = Filesystems.samples(mounts) { _ in usage }
        #expect(samples.first { $0.name == "node_filesystem_readonly" }?.value == 1)
        #expect(samples.first { $0.name == "node_filesystem_avail_bytes" }?.value == 30)
        #expect(Filesystems.isExcluded(mountPoint: "/run/user/1000") && !Filesystems.isExcluded(mountPoint: "/runner"))
        #expect(!Filesystems.isExcluded(mountPoint: "/var/lib/docker") && Filesystems.isExcluded(mountPoint: "/var/lib/docker/x"))
    }

    @Test(arguments: [
        ("sda1", true), ("sda", false), ("nvme0n1p2", true), ("nvme0n1", false), ("loop7", true), ("ram0", true),
        ("vda", false), ("xvdb3", true), ("dm-0", false), ("md127", false), ("zram0", false), ("fd0", true),
    ])
    func diskDevicesExcludedAsNodeExporterDoes(device: String, excluded: Bool) {
        #expect(DiskStats.isExcluded(device) == excluded)
    }

    @Test func missingFilesAreNamedAndTheRestCollected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surge-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "0.50 0.40 0.30 1/100 42\n".write(to: dir.appendingPathComponent("loadavg"), atomically: true, encoding: .utf8)
        let (samples, errors) = NodeCollector(root: dir).collect()
        // What does not come from /proc (uname, the clock, os-release) is still there.
        #expect(samples.map(\.name).filter { $0.hasPrefix("node_load") } == ["node_load1", "node_load5", "node_load15"])
        #expect(samples.contains { $0.name == "node_uname_info" } && samples.contains { $0.name == "node_time_seconds" })
        #expect(errors.count == 17)
        #expect(errors.contains { $0.contains("meminfo") })
    }

    @Test func liveProcOfThisMachine() {
        let (samples, _) = NodeCollector().collect()
        let cpus = Set(samples.filter { $0.name == "node_cpu_seconds_total" }.compactMap { $0.labels.first { $0.name == "cpu" }?.value })
        #expect(cpus.count == ProcessInfo.processInfo.activeProcessorCount)
        #expect((Self.value(samples, "node_memory_MemTotal_bytes") ?? 0) > 0)
        #expect((Self.value(samples, "node_boot_time_seconds") ?? 0) > 1e9)
    }

    @Test func roundsStampEverySampleAndMarkVanishedSeriesStale() {
        var staleness = SeriesStaleness()
        let first = CollectionRound.series([CollectedSample("a", [("x", "1")], 1), CollectedSample("b", [], 2)], at: 1000, staleness: &staleness)
        #expect(first.map(\.samples) == [[Sample(timestamp: 1000, value: 1)], [Sample(timestamp: 1000, value: 2)]])
        let second = CollectionRound.series([CollectedSample("b", [], 3), CollectedSample("b", [], 4)], at: 2000, staleness: &staleness)
        #expect(second.count == 2)
        #expect(second[0].samples == [Sample(timestamp: 2000, value: 3)])
        #expect(second[1].labels == Labels(["__name__": "a", "x": "1"]))
        #expect(StaleNaN.isStale(second[1].samples[0].value))
        #expect(staleness.endAll() == [Labels(["__name__": "b"])])
    }

    @Test func osReleaseAsNodeExporterLabelsIt() {
        let samples = SystemInfo.osRelease("""
            PRETTY_NAME="Ubuntu 22.04.4 LTS"
            NAME="Ubuntu"
            VERSION_ID="22.04"
            VERSION="22.04.4 LTS (Jammy Jellyfish)"
            VERSION_CODENAME=jammy
            ID=ubuntu
            ID_LIKE=debian
            # a comment
            """)
        let info = Dictionary(uniqueKeysWithValues: samples.first { $0.name == "node_os_info" }!.labels.map { ($0.name, $0.value) })
        #expect(info["pretty_name"] == "Ubuntu 22.04.4 LTS")
        #expect(info["version_codename"] == "jammy")
        #expect(info["id_like"] == "debian")
        #expect(info["build_id"] == "")
        #expect(Self.value(samples, "node_os_version", ["id": "ubuntu", "id_like": "debian", "name": "Ubuntu"]) == 22.04)
    }

    @Test func snmp6FieldsSplitAtTheProtocolsSix() {
        let samples = KernelStatistics.snmp6("Ip6InOctets   \t768\nIcmp6InMsgs 6\nUdpLite6InErrors 2\nIp6InReceives 9\n")
        #expect(samples.map(\.name) == ["node_netstat_Ip6_InOctets", "node_netstat_Icmp6_InMsgs", "node_netstat_UdpLite6_InErrors"])
    }
}
