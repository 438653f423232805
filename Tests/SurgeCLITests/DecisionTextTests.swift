import Foundation
import Scaling
import ScalingRuntime
import SurgeCLI
import Testing

/// What `surge decide` prints: `kubectl describe hpa` plus why.
@Suite struct DecisionTextTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ScalingTests/Fixtures/cpu-scale-up.json")

    @Test func readsLikeDescribeHPAWithTheDecisionBelow() throws {
        let snapshot = try DecisionSnapshot.parse(try String(contentsOf: Self.fixture, encoding: .utf8), path: Self.fixture.path)
        let decision = snapshot.decide()
        let text = DecisionReport.text(decision, policy: snapshot.policy, now: snapshot.now)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Values start in one column, after the longest label.
        let column = try #require(lines.first?.firstIndex(of: "w")).utf16Offset(in: lines[0])
        func row(_ label: String, _ value: String) -> String { label.padding(toLength: column, withPad: " ", startingAt: 0) + value }
        #expect(lines.first == row("Name:", "web"))
        #expect(lines.contains(row("Reference:", "Deployment/web")))
        #expect(lines.contains(row("  resource cpu on pods (as a percentage of request):", "90% (450m) / 60%")), "\(text)")
        #expect(lines.contains(row("Deployment pods:", "\(decision.reactive.currentReplicas) current / \(decision.desiredReplicas) desired")))
        #expect(lines.contains { $0.hasPrefix("  AbleToScale") })
        #expect(lines.contains("  desired replicas \(decision.desiredReplicas), driven by \(decision.drivenBy.rawValue)"
                               + (decision.reactive.limitedBy.map { ", limited by \($0)" } ?? "")))
        for sentence in decision.explanation { #expect(lines.contains("  - " + sentence)) }
        #expect(text.hasSuffix("\n") && !text.hasSuffix("\n\n"))
    }
}
