import Foundation
import SurgeTestKit
import Testing
@testable import Collectors

/// file_sd target files: read as Prometheus reads them, refused with the file and line.
@Suite struct FileDiscoveryTests {
    @Test func badFilesAreReportedWithFileAndLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let good = dir.url.appendingPathComponent("good.yml")
        try "- targets: ['a:1', 'b:1']\n  labels: {env: prod}\n".write(to: good, atomically: true, encoding: .utf8)
        let noTargets = dir.url.appendingPathComponent("no-targets.yml")
        try "- targets: ['c:1']\n- labels: {env: prod}\n".write(to: noTargets, atomically: true, encoding: .utf8)
        let broken = dir.url.appendingPathComponent("broken.yml")
        try "- targets: ['d:1'\n".write(to: broken, atomically: true, encoding: .utf8)
        let (groups, errors) = FileDiscovery.read([FileSDConfig(files: [good.path, noTargets.path, broken.path])])
        #expect(groups.map(\.targets) == [["a:1", "b:1"]])
        #expect(groups.first?.labels["env"] == "prod" && groups.first?.labels["__meta_filepath"] == good.path)
        #expect(errors.count == 2)
        #expect(errors.contains("\(noTargets.path):2: a target group needs a list of targets"), "\(errors)")
        #expect(errors.contains { $0.hasPrefix("\(broken.path):") && $0.contains("invalid YAML") }, "\(errors)")
    }
}
