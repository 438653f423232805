import App
import ArgumentParser
import Foundation
import Scaling

struct Decide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the replica count a scaling policy decides, and why, without acting.",
        discussion: """
            --snapshot FILE.json decides offline from a frozen snapshot (now, policy, controller, target, pods, \
            metrics, history): the same file always gives the same answer. --policy FILE decides now from a \
            running Surge (or any Prometheus-compatible API, --prometheus-url) with the workload's current \
            replicas given by --replicas.
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .long, help: "A decision snapshot (JSON or YAML).")
    var snapshot: String?

    @Option(name: .long, help: "A policy file, to decide live.")
    var policy: String?

    @Option(name: .long, help: "Which policy of the file.")
    var name: String?

    @Option(name: .long, help: "Prometheus-compatible API to read metrics from.")
    var prometheusURL: String = "http://127.0.0.1:9470"

    @Option(name: .long, help: "The workload's current replicas (live mode).")
    var replicas: Int?

    @Option(name: [.short, .customLong("output")], help: "text or json.")
    var output: Output = .text

    func validate() throws {
        if (snapshot == nil) == (policy == nil) { throw ValidationError("give either --snapshot FILE or --policy FILE") }
        if policy != nil && replicas == nil {
            throw ValidationError("--policy needs --replicas N: reading the workload's replicas from Kubernetes is not supported by this command yet")
        }
    }

    func run() async throws {
        let chosen: ScalingPolicy
        let decision: PolicyDecision
        let now: Date
        if let snapshot {
            let text: String
            do { text = try String(contentsOfFile: snapshot, encoding: .utf8) } catch {
                throw CLIError("cannot read \(snapshot): \(error.localizedDescription)")
            }
            let parsed: DecisionSnapshot
            do { parsed = try DecisionSnapshot.parse(text, path: snapshot, validateQuery: PolicyLoader.checkQuery) } catch let error as PolicyFileError {
                throw CLIError(error.description)
            }
            (chosen, now, decision) = (parsed.policy, parsed.now, parsed.decide())
        } else {
            chosen = try choosePolicy(policy!, name: name)
            now = Date()
            decision = try await LiveDecision.decide(policy: chosen, prometheusURL: prometheusURL, replicas: replicas!, now: now)
        }
        print(output == .json ? try DecisionReport.json(decision, policy: chosen, now: now) : DecisionReport.text(decision, policy: chosen, now: now),
              terminator: "")
    }
}
