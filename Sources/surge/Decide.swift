import ArgumentParser
import AsyncHTTPClient
import Foundation
import Kubernetes
import NIOCore
import QueryClient
import Scaling
import ScalingRuntime
import SurgeCLI
import YAMLFiles

struct Decide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the replica count a scaling policy decides, and why, without acting.",
        discussion: """
            --snapshot FILE.json decides offline from a frozen snapshot (now, policy, controller, target, pods, \
            metrics, history): the same file always gives the same answer. --policy FILE decides now from a \
            running Surge (or any Prometheus-compatible API, --prometheus-url) and the workload's current \
            state (scale and pods) from Kubernetes: --kubeconfig, else $KUBECONFIG, ~/.kube/config or the \
            in-cluster service account. --replicas N skips Kubernetes and takes the pods reporting the metrics. \
            --nodes CONFIG shows what the node loop of that configuration would do now: which groups grow, by how \
            many and why, which pods fit no group, and which nodes scale-down would take.
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(name: .long, help: "A decision snapshot (JSON or YAML).")
    var snapshot: String?

    @Option(name: .long, help: "A policy file, to decide live.")
    var policy: String?

    @Option(name: .long, help: "A configuration file with node groups: what the node loop would do now, and why (text only).")
    var nodes: String?

    @Option(name: .long, help: "Which policy of the file.")
    var name: String?

    @Option(name: .long, help: "Prometheus-compatible API to read metrics from.")
    var prometheusURL: String = "http://127.0.0.1:9470"

    @OptionGroup var http: HTTPClientOptions

    @Option(name: .long, help: "How long one metric query may take, in seconds.")
    var timeout: Int = 10

    @Option(name: .long, help: "The workload's current replicas, instead of reading them from Kubernetes (live mode).")
    var replicas: Int?

    @Option(name: .long, help: "A kubeconfig file to read the workload from (live mode).")
    var kubeconfig: String?

    @Option(name: [.short, .customLong("output")], help: "text or json.")
    var output: Output = .text

    func validate() throws {
        if nodes != nil {
            if snapshot != nil || policy != nil || replicas != nil { throw ValidationError("--nodes goes alone, with --kubeconfig at most") }
            if output == .json { throw ValidationError("--nodes reports in text only") }
            return
        }
        if (snapshot == nil) == (policy == nil) { throw ValidationError("give either --snapshot FILE, --policy FILE or --nodes CONFIG") }
        if snapshot != nil && (replicas != nil || kubeconfig != nil) { throw ValidationError("--replicas and --kubeconfig go with --policy") }
        if replicas != nil && kubeconfig != nil { throw ValidationError("give either --replicas N or --kubeconfig FILE") }
        if let replicas, replicas < 0 { throw ValidationError("--replicas must not be negative") }
        if timeout < 1 { throw ValidationError("--timeout must be at least 1 second") }
    }

    func run() async throws {
        if let nodes {
            print(try await DecideNodes.run(configPath: nodes, kubeconfig: kubeconfig), terminator: "")
            return
        }
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
            let workload: any WorkloadSource = try replicas.map(GivenReplicas.init) ?? KubernetesWorkloads(client: kubernetesClient())
            let state: WorkloadState
            do { state = try await workload.state(of: chosen.target) } catch {
                throw CLIError("cannot read \(chosen.target.kind) \(chosen.target.namespace)/\(chosen.target.name) from Kubernetes: \(error)")
            }
            let settings = try http.settings()
            decision = try await settings.withClient { client in
                let metrics = HTTPQueryEngine(base: prometheusURL, client: client, settings: settings, timeout: .seconds(Int64(timeout)))
                var evaluation = LiveEvaluation(policy: chosen)
                await evaluation.prime(from: metrics, now: now)
                return await evaluation.evaluate(now: now, metrics: metrics, workload: state)
            }
        }
        print(output == .json ? try DecisionReport.json(decision, policy: chosen, now: now) : DecisionReport.text(decision, policy: chosen, now: now),
              terminator: "")
    }

    /// The API server from --kubeconfig, $KUBECONFIG, ~/.kube/config or the in-cluster service account.
    func kubernetesClient() throws -> KubernetesClient {
        let environment = ProcessInfo.processInfo.environment
        let home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".kube/config").path
        let path = kubeconfig ?? environment["KUBECONFIG"].flatMap { $0.split(separator: ":").first.map(String.init) }
            ?? (FileManager.default.fileExists(atPath: home) ? home : nil)
        do {
            let credentials = try path.map { try Kubeconfig.credentials(path: $0) } ?? KubernetesCredentials.inCluster()
            return try KubernetesClient(credentials: credentials, httpClient: .shared)
        } catch {
            throw CLIError("\(error); give --kubeconfig FILE, or --replicas N to decide without Kubernetes")
        }
    }
}
