import Foundation
import HTTPAPI
import Prometheus
import Testing

/// `process_*` and `surge_build_info` on /metrics, with the types and values Prometheus' client
/// libraries give them.
@Suite struct ProcessMetricsTests {
    @Test func processSeriesAreReadFromProc() throws {
        let registry = PrometheusCollectorRegistry()
        let process = ProcessMetrics(registry: registry)
        // Burn a little CPU so the counter moves between two scrapes.
        var x = 0.0
        for i in 0..<3_000_000 { x += sin(Double(i)) }
        #expect(x.isFinite)
        process.refresh()
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        func value(_ name: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
        }
        #expect(text.contains("# TYPE process_cpu_seconds_total counter") && text.contains("# TYPE process_resident_memory_bytes gauge"), "\(text)")
        #expect((value("process_cpu_seconds_total") ?? 0) > 0, "\(text)")
        #expect((value("process_resident_memory_bytes") ?? 0) > 1_000_000 && (value("process_virtual_memory_bytes") ?? 0) > 1_000_000, "\(text)")
        let open = try #require(value("process_open_fds")), max = try #require(value("process_max_fds"))
        #expect(open >= 3 && max >= open, "\(text)")
        let started = try #require(value("process_start_time_seconds"))
        #expect(abs(started - Date().timeIntervalSince1970) < 86_400, "\(started)")
        #expect(text.contains("surge_build_info{version=\"\(BuildInfo.current.version)\""), "\(text)")
    }
}
