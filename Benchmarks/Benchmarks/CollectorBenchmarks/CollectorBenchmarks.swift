import Benchmark
import Collectors
import Foundation
import TimeSeriesCore
import WireFormat

/// CPU per collection of a cgroup v2 tree of 1,000 Kubernetes containers, per scrape of a
/// 10,000-series target (parse and storage-ready series), and per node collection of this machine.
/// Run with `swift package --package-path Benchmarks benchmark --target CollectorBenchmarks`.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal], maxDuration: .seconds(5), maxIterations: 200)

    // 100 pods of 10 containers, systemd layout, the files cAdvisor-named metrics come from.
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("surge-cgroup-bench-\(getpid())")
    let cgroup = root.appendingPathComponent("cgroup")
    func write(_ path: String, _ text: String) {
        let url = cgroup.appendingPathComponent(path)
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! text.write(to: url, atomically: false, encoding: .utf8)
    }
    let files = [
        "cpu.stat": "usage_usec 2500000\nuser_usec 1500000\nsystem_usec 1000000\nnr_periods 40\nnr_throttled 3\nthrottled_usec 250000\n",
        "cpu.max": "50000 100000\n", "cpu.weight": "39\n", "memory.current": "104857600\n", "memory.max": "268435456\n",
        "memory.stat": "anon 52428800\nfile 41943040\nkernel 1048576\nshmem 0\nactive_anon 1\ninactive_anon 2\nactive_file 20971520\ninactive_file 20971520\n",
        "memory.swap.current": "0\n", "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n",
        "io.stat": "254:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n", "pids.current": "7\n",
        "cpu.pressure": "some avg10=0.00 avg60=0.00 avg300=0.00 total=1200000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=300000\n",
        "memory.pressure": "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
        "io.pressure": "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
    ]
    for pod in 0..<100 {
        let slice = "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(String(format: "%08x", pod))_0000_0000_0000_000000000000.slice"
        for container in 0..<10 {
            let id = String(repeating: String(format: "%02x", (pod * 10 + container) % 256), count: 32)
            for (name, text) in files { write("\(slice)/cri-containerd-\(id).scope/\(name)", text) }
        }
    }
    try! "30 23 0:26 / \(cgroup.path) rw - cgroup2 cgroup2 rw\n".write(to: root.appendingPathComponent("mountinfo"), atomically: false, encoding: .utf8)
    let collector = CgroupCollector(mountinfo: root.appendingPathComponent("mountinfo"), logRoot: root.appendingPathComponent("log"))
    Benchmark("cgroup v2 collection, 1,000 containers") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(collector.collect().samples.count) }
    } teardown: {
        try? FileManager.default.removeItem(at: root)
    }

    // A 10,000-series target: 100 histograms of 10 buckets for 10 paths, with HELP and TYPE.
    var text = ""
    for family in 0..<10 {
        text += "# HELP http_request_duration_seconds_\(family) Request latency.\n# TYPE http_request_duration_seconds_\(family) histogram\n"
        for path in 0..<100 {
            for le in ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"] {
                text += "http_request_duration_seconds_\(family)_bucket{handler=\"/api/v\(path)\",method=\"GET\",le=\"\(le)\"} \(path * 37 + family)\n"
            }
        }
    }
    let body = Array(text.utf8)
    var config = ScrapeConfig(jobName: "app")
    config.staticConfigs = [.init(targets: ["10.0.0.1:8080"])]
    let target = config.targets[0]
    var round = ScrapeRound(target: target)
    var time: Int64 = 1_790_000_000_000
    Benchmark("scrape of a 10,000-series target (parse and series)") { benchmark in
        for _ in benchmark.scaledIterations {
            let exposition = try ExpositionParser.parse(body, format: .text)
            time += 15_000
            blackHole(round.process(.success(exposition), at: time, duration: 0.01).series.count)
        }
    }

    let node = NodeCollector()
    Benchmark("node collection of this machine") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(node.collect().samples.count) }
    }
}
