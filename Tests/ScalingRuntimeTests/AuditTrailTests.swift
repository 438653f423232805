import Foundation
import Scaling
import ScalingRuntime
import SurgeTestKit
import Testing

/// The audit trail's lines, rotation and bound.
@Suite struct AuditTrailTests {
    @Test func entriesAreReadBackInOrderAndTheTrailStaysBounded() throws {
        let dir = try TemporaryDirectory(prefix: "surge-audit")
        defer { dir.remove() }
        let policy = ScaleApplyTests.policy()
        let trail = try AuditTrail(directory: dir.url, maxBytes: 2_000, files: 2)
        for index in 0..<100 {
            var entry = AuditEntry(time: Date(timeIntervalSince1970: 1_800_000_000 + Double(index)), kind: index % 2 == 0 ? .decision : .action,
                                   policy: policy)
            entry.desiredReplicas = index
            entry.message = "entry \(index)"
            trail.record(entry)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files == ["scaling.1.jsonl", "scaling.2.jsonl", "scaling.jsonl"], "\(files)")
        let total = try files.reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: dir.path + "/" + $1)[.size] as? Int) ?? 0) }
        #expect(total <= 3 * 2_000)
        let read = AuditTrail.read(directory: dir.url)
        // The newest entries are kept, in order; the oldest were dropped with the oldest file.
        #expect(read.last?.message == "entry 99")
        #expect(read.map(\.desiredReplicas) == read.map(\.desiredReplicas).sorted { ($0 ?? 0) < ($1 ?? 0) })
        #expect(read.count < 100 && read.count > 10)
        #expect(read.first?.namespace == "shop" && read.first?.target == "web" && read.first?.targetKind == "Deployment")
    }
}
