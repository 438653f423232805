import TimeSeriesCore

/// Series a Kubernetes cluster exposes, cAdvisor and kube-state-metrics style, with values that
/// behave like the real ones: counters grow, gauges wander.
public struct LoadProfile: Sendable {
    enum Kind: Sendable { case counter(perSecond: Double), gauge(base: Double, spread: Double) }

    struct Template: Sendable {
        let name: String
        let kind: Kind
        let extra: [(String, String)]
    }

    static let containerMetrics: [Template] = [
        Template(name: "container_cpu_usage_seconds_total", kind: .counter(perSecond: 0.2), extra: [("cpu", "total")]),
        Template(name: "container_cpu_cfs_throttled_seconds_total", kind: .counter(perSecond: 0.01), extra: []),
        Template(name: "container_memory_working_set_bytes", kind: .gauge(base: 2.5e8, spread: 4e6), extra: []),
        Template(name: "container_memory_rss", kind: .gauge(base: 2e8, spread: 3e6), extra: []),
        Template(name: "container_network_receive_bytes_total", kind: .counter(perSecond: 40_000), extra: [("interface", "eth0")]),
        Template(name: "container_network_transmit_bytes_total", kind: .counter(perSecond: 25_000), extra: [("interface", "eth0")]),
        Template(name: "container_fs_reads_bytes_total", kind: .counter(perSecond: 1_000), extra: [("device", "/dev/nvme0n1")]),
        Template(name: "kube_pod_container_status_restarts_total", kind: .counter(perSecond: 0.0001), extra: []),
        Template(name: "kube_pod_container_resource_requests", kind: .gauge(base: 0.5, spread: 0), extra: [("resource", "cpu"), ("unit", "core")]),
        Template(name: "http_requests_total", kind: .counter(perSecond: 50), extra: [("code", "200"), ("method", "GET")]),
    ]

    static let namespaces = ["default", "payments", "checkout", "search", "kube-system", "monitoring", "ingress", "batch"]
    static let apps = ["api", "web", "worker", "cart", "auth", "indexer", "gateway", "scheduler", "cache", "db-proxy"]

    public let seriesCount: Int

    public init(series: Int) { seriesCount = series }

    /// Labels of series `index`, sorted by name.
    public func labels(_ index: Int) -> [Label] {
        let templates = Self.containerMetrics
        let template = templates[index % templates.count]
        let pod = index / templates.count
        let namespace = Self.namespaces[pod % Self.namespaces.count]
        let app = Self.apps[(pod / Self.namespaces.count) % Self.apps.count]
        let podName = "\(app)-\(String(pod * 2_654_435_761 % 0xfffff, radix: 36))-\(String(pod % 46_656, radix: 36))"
        let node = "ip-10-0-\(pod % 250)-\(pod / 250 % 250).ec2.internal"
        var pairs: [(String, String)] = [
            ("__name__", template.name), ("namespace", namespace), ("pod", podName), ("container", app),
            ("instance", node), ("job", template.name.hasPrefix("kube_") ? "kube-state-metrics" : "kubelet"),
            ("node", node),
        ]
        if template.name.hasPrefix("container_") {
            pairs.append(("id", "/kubepods/burstable/pod\(String(pod, radix: 16))-5c4e/\(String(index &* 40_503, radix: 16))"))
            pairs.append(("image", "registry.example.com/\(namespace)/\(app):1.\(pod % 20).\(pod % 7)"))
        }
        pairs += template.extra
        return pairs.map { Label($0.0, $0.1) }.sorted()
    }

    /// The value of series `index` at step `step`, `interval` seconds apart: counters grow at a rate
    /// that varies per series and step; gauges take a bounded random walk.
    public func value(_ index: Int, step: Int, interval: Double) -> Double {
        let template = Self.containerMetrics[index % Self.containerMetrics.count]
        switch template.kind {
        case .counter(let perSecond):
            // The sum of per-step increments has a closed form, so values need no state.
            let rate = perSecond * (0.5 + Double(Self.hash(index) % 1000) / 1000)
            let jitter = Double(Self.hash(index &* 31 &+ step) % 100) / 100
            return (rate * interval * Double(step) + jitter * rate * interval).rounded(.down)
        case .gauge(let base, let spread):
            let walk = Double(Int(Self.hash(index &* 17 &+ step / 4) % 2001) - 1000) / 1000
            return (base * (0.6 + Double(Self.hash(index) % 800) / 1000) + walk * spread * 10).rounded()
        }
    }

    static func hash(_ x: Int) -> UInt64 {
        var z = UInt64(bitPattern: Int64(x)) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
