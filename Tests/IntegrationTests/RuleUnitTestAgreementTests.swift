import Foundation
import SurgeTestKit
import Testing

/// `surge rules test` and Debian's `promtool test rules` (Prometheus 2.42) give the same verdicts on
/// every rule unit-test file in the repository: the shipped rules' tests under rules/ and the
/// files under Tests/RuleUnitTests/, some of which fail on purpose.
@Suite struct RuleUnitTestAgreementTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func files(in directory: String, suffix: String) -> [String] {
        let path = root.appendingPathComponent(directory).path
        return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(suffix) }.sorted().map { path + "/" + $0 }
    }

    static let testFiles = files(in: "rules", suffix: ".test.yml") + files(in: "Tests/RuleUnitTests", suffix: ".test.yml")

    @Test func everyTestFileIsFound() {
        #expect(Self.files(in: "rules", suffix: ".test.yml").count >= 4)
        #expect(Self.files(in: "Tests/RuleUnitTests", suffix: ".test.yml").count >= 4)
    }

    /// Which expectations failed: the first line of each report, without the error's wording
    /// (parse errors are phrased differently by the two parsers).
    static func failedExpectations(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { line in
            ["    name: ", "    alertname: ", "    expr: ", "    rule: "].contains { line.hasPrefix($0) }
        }.map { line in
            line.range(of: ", err: ").map { String(line[..<$0.lowerBound]) } ?? line
        }.sorted()
    }

    @Test(arguments: testFiles)
    func bothToolsGiveTheSameVerdicts(_ file: String) async throws {
        guard let promtool = which("promtool") else { throw TestKitError("promtool is not installed; scripts/install-deps installs Debian's prometheus") }
        let name = (file as NSString).lastPathComponent
        let reference = try runToCompletion(promtool, ["test", "rules", file])
        let surge = try await SurgeBinary.run(["rules", "test", file])
        #expect(surge.status == reference.status, "promtool:\n\(reference.output)\nsurge:\n\(surge.output)")
        #expect(Self.failedExpectations(surge.output) == Self.failedExpectations(reference.output),
                "promtool:\n\(reference.output)\nsurge:\n\(surge.output)")
        let failsOnPurpose = (try String(contentsOfFile: file, encoding: .utf8)).contains("Fails on purpose")
        #expect(reference.status == (failsOnPurpose ? 1 : 0), "\(name): \(reference.output)")
    }

    @Test(arguments: files(in: "rules", suffix: ".rules.yml"))
    func shippedRulesPassPromtoolsCheck(_ file: String) async throws {
        guard let promtool = which("promtool") else { throw TestKitError("promtool is not installed; scripts/install-deps installs Debian's prometheus") }
        let reference = try runToCompletion(promtool, ["check", "rules", file])
        #expect(reference.status == 0, "\(reference.output)")
        let surge = try await SurgeBinary.run(["rules", "check", file])
        #expect(surge.status == 0, "\(surge.output)")
    }
}
