import Actuators
import Alerting
import AsyncHTTPClient
import Collectors
import Forwarding
import Foundation
import HTTPAPI
import Hummingbird
import Kubernetes
import Logging
import NIOPosix
import Prometheus
import PromQL
import QueryClient
import Rules
import Scaling
import ScalingRuntime
import ServiceLifecycle
import Storage
import TimeSeriesCore
import YAMLFiles

/// Builds the running server from a configuration: storage, routes, metrics and services.
public enum SurgeServer {
    /// The application `surge serve` runs; tests drive the same one in-process, with a clock of
    /// their own. Every part reads time from `clock`.
    public static func buildApplication(
        configuration: SurgeConfiguration,
        logger: Logger,
        clock: any LoopClock = SystemClock()
    ) throws -> some ApplicationProtocol {
        let now: @Sendable () -> Timestamp = { clock.now }
        try checkAgentMode(configuration)
        // Policies first: a mistake in one stops start-up before the database is opened.
        let policies: [ScalingPolicy]
        do { policies = try PolicyLoader.load(patterns: configuration.scalingPolicyFiles) } catch let error as PolicyFileError {
            throw StartupError(description: error.description)
        }
        // The web configuration next: who may call is settled before anything listens.
        let access = try accessControl(configuration, logger: logger)
        let ruleGroups: [RuleGroup]
        do { ruleGroups = try RuleFiles.load(patterns: configuration.ruleFiles) } catch {
            throw StartupError(description: "\(error)")
        }
        let dataURL = URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true)
        var storage = configuration.storage
        storage.agent = configuration.agent
        let database = try Database(directory: dataURL, options: storage, clock: clock, logger: logger)
        announceCollectors(configuration, logger: logger)

        let registry = PrometheusCollectorRegistry()
        let own = OwnMetrics(registry: registry)
        let metrics = own.api
        let decisions = ScalingDecisions(policies: policies)
        // One client for the scaling path: workloads, scale writes, the Lease.
        let kubernetes = policies.isEmpty ? nil : try scalingClient(configuration.scalingKubernetes ?? KubernetesSDConfig())
        let leadership = configuration.scalingLeaderElection.map { election in
            Leadership(LeaderElection(identity: election.identity), lease: "\(election.namespace)/\(election.lease)")
        }
        let ruleBoard = RuleStatusBoard()
        let reloads = ReloadHub()
        let alertInbox = configuration.webhooks.isEmpty && configuration.alertmanagers.isEmpty ? nil
            : AlertInbox(receivers: configuration.webhooks.map(\.name) + (configuration.alertmanagers.isEmpty ? [] : [AlertmanagerNotifier.inboxName]))
        // Rules and policies read the query source when one is configured, else the embedded store.
        let source = try configuration.querySource.map { try $0.engine() }
        let embeddedRules = EmbeddedQueryEngine(querier: database, lookbackDelta: configuration.lookbackDeltaMilliseconds)
        let ruleEngine: any QueryEngine = source?.engine ?? embeddedRules
        let metadata = MetricMetadataStore()
        let scrapeStatus = ScrapeTargetsStatus()
        let kubeletNames = configuration.kubelet.map { _ in KubeletNamesCache() }
        let collectorJobs = configuration.collect ? [
            CollectorJob(source: NodeCollector(root: URL(fileURLWithPath: configuration.procPath)), target: configuration.nodeCollectorTarget),
        ] + (configuration.collectCgroups ? [
            CollectorJob(source: CgroupCollector(kubeletNames: kubeletNames), target: configuration.cadvisorCollectorTarget),
        ] : []) : []
        // kube-state series: listed objects when configured, and the policies' autoscaler series.
        let kubeStateCache = configuration.kubeState.map { _ in KubeStateCache() }
        let kubeStateJob = configuration.collect && (kubeStateCache != nil || !policies.isEmpty) ? [
            CollectorJob(source: KubeStateSource(cache: kubeStateCache ?? KubeStateCache()) { KubeStateAutoscalers.samples(decisions.snapshots()) },
                         target: configuration.kubeStateCollectorTarget),
        ] : []
        let kubeStateClient = try configuration.kubeState.map {
            try scalingClient($0.kubernetes ?? configuration.scalingKubernetes ?? KubernetesSDConfig(), purpose: "collectors.kube_state")
        }
        let forwarding = ForwardingStats()
        // Everything /metrics shows, brought up to date; the self-scrape reads the same.
        let refreshOwnMetrics: @Sendable () -> Void = { [targets = configuration.remoteWriteTargets] in
            own.refresh(storage: database.stats, decisions: decisions, rules: ruleBoard)
            own.publish(forwarding, receivers: targets)
        }
        // Surge's own /metrics stored too, as Prometheus stores its own, when asked.
        let selfJob = configuration.collect && configuration.selfScrape ? [
            CollectorJob(source: SelfScrapeSource(registry: registry, refresh: refreshOwnMetrics),
                         target: CollectorTarget(job: "surge", instance: configuration.listen.description, path: "/metrics")),
        ] : []
        let jobs = collectorJobs + kubeStateJob + selfJob
        let latestCollections = LatestCollections()
        let forwarders = try Self.forwarders(configuration, dataURL: dataURL, database: database, stats: forwarding, clock: clock, logger: logger)
        // One audit trail for pod and node actions, so their lines never interleave.
        let audit = policies.isEmpty && configuration.nodeGroups.isEmpty ? nil : try AuditTrail(directory: dataURL.appendingPathComponent("audit"))
        let nodeClient = configuration.nodeGroups.isEmpty ? nil
            : try scalingClient(configuration.nodeKubernetes ?? configuration.scalingKubernetes ?? KubernetesSDConfig(), purpose: "nodes")
        let nodeProviders = Self.nodeProviders(client: nodeClient)
        let routes = Routes(
            query: QueryAPI(querier: database, lookbackDelta: configuration.lookbackDeltaMilliseconds, now: now),
            remoteWrite: RemoteWriteAPI(
                appender: database, maxDecodedBytes: configuration.remoteWriteMaxDecodedBytes,
                limits: configuration.remoteWriteLimits, metadata: metadata, metrics: metrics),
            metrics: metrics,
            metadata: metadata,
            targets: { scrapeStatus.all.map(TargetView.init) },
            droppedTargets: { scrapeStatus.droppedTargets },
            flushHead: {
                let report = try database.persistAll()
                return report.blocksWritten
            },
            tsdbStatus: { database.tsdbStatus(limit: $0) },
            scalingDecisions: { decisions.snapshots().map(ScalingDecisionView.init) },
            ruleGroups: { ruleBoard.groups.map(RuleGroupView.init) },
            reload: { await reloads.reload() },
            beforeMetricsScrape: refreshOwnMetrics,
            placement: WorkPlacement(pool: .singleton),
            collectorEndpoints: CollectorEndpoints(paths: (collectorJobs + kubeStateJob).map(\.target.path)) { latestCollections.round(at: $0)?.families },
            federate: FederateAPI(querier: database, lookbackDelta: configuration.lookbackDeltaMilliseconds,
                                  externalLabels: configuration.externalLabels, now: now))
        let router = Router()
        router.add(middleware: AccessMiddleware(access: access))
        if configuration.agent { router.add(middleware: AgentModeMiddleware()) }
        routes.register(on: router)
        let connectionLimit = ConnectionLimit.fitting(configuration.maxConnections)
        if connectionLimit < configuration.maxConnections {
            logger.warning("the open-file limit leaves room for fewer connections than web.max_connections",
                           metadata: ["connections": "\(connectionLimit)", "max_connections": "\(configuration.maxConnections)"])
        }
        let listen = configuration.listen
        let scalingMetricAge = min(configuration.scalingMetricMaxAgeMilliseconds, configuration.lookbackDeltaMilliseconds)
        return Application(
            router: router,
            server: .http1(configuration: .init(
                additionalChannelHandlers: [ExpectContinueHandler(maxBody: UInt64(configuration.remoteWriteMaxDecodedBytes) * 2)],
                idleTimeout: .milliseconds(configuration.idleTimeout.inMilliseconds)), access: access),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "Surge",
                                 availableConnectionsDelegate: ConnectionLimit(maximum: connectionLimit, logger: logger)),
            // Stopped in reverse order: collectors first, so their last writes reach an open database.
            services: [
                HangupService(reloads: reloads, logger: logger),
                MaintenanceService(database: database, interval: configuration.maintenanceInterval,
                                   forwardingHold: { [names = configuration.remoteWriteTargets.map(\.receiver.name)] in forwarding.oldestHeldSegment(of: names) },
                                   clock: clock, logger: logger),
                DatabaseService(database: database),
            ] + (jobs.isEmpty ? [] : [
                CollectionService(jobs: jobs, appender: database, latest: latestCollections,
                                  interval: configuration.collectInterval, clock: clock, logger: logger),
            ] as [any Service])
              + (configuration.collect ? zip(kubeStateClient.map { [$0] } ?? [], configuration.kubeState.map { [$0] } ?? []).map { client, settings in
                  KubeStateService(client: client, cache: kubeStateCache!, interval: settings.interval, logger: logger) as any Service
              } : [])
              + (configuration.collect && configuration.collectCgroups ? configuration.kubelet.map {
                  [KubeletNamesService(config: $0, cache: kubeletNames!, logger: logger)] as [any Service]
              } ?? [] : [])
              + (configuration.collect && !configuration.scrapeConfigs.isEmpty ? [
                ScrapeService(configs: configuration.scrapeConfigs, appender: database, status: scrapeStatus, clock: clock, logger: logger),
            ] : [])
              + (configuration.ruleFiles.isEmpty ? [] : [
                RulesService(groups: ruleGroups, reload: { [files = configuration.ruleFiles] in try RuleFiles.load(patterns: files) },
                             engine: ruleEngine, appender: database, board: ruleBoard,
                             defaults: .init(interval: configuration.evaluationInterval.inMilliseconds,
                                             queryOffset: configuration.ruleQueryOffset.inMilliseconds,
                                             externalLabels: configuration.externalLabels, externalURL: configuration.externalURL,
                                             templateQuery: source?.engine.synchronousQuery ?? embeddedRules.synchronousQuery),
                             restore: configuration.ruleRestore, alerts: alertInbox, reloads: reloads, clock: clock, logger: logger),
            ] as [any Service])
              + (try configuration.webhooks.map { receiver -> any Service in
                let journal = try NotificationJournal(directory: dataURL.appendingPathComponent("notifications")
                    .appendingPathComponent(receiver.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? receiver.name))
                return WebhookNotifier(receiver: receiver, inbox: alertInbox!, externalURL: configuration.externalURL, journal: journal,
                                       clock: clock, logger: logger)
            })
              + (configuration.alertmanagers.isEmpty ? [] : [
                AlertmanagerNotifier(sets: try configuration.alertmanagers.map { try $0.notifierSet() }, inbox: alertInbox!, clock: clock, logger: logger),
            ] as [any Service])
              + (policies.isEmpty ? [] : [
                ScalingService(policies: policies, reload: { [files = configuration.scalingPolicyFiles] in try PolicyLoader.load(patterns: files) },
                               // The lookback is the staleness bound: an instant selector sees no sample older.
                               metrics: source?.engine ?? EmbeddedQueryEngine(querier: database, lookbackDelta: scalingMetricAge),
                               workloads: KubernetesWorkloads(client: kubernetes!), decisions: decisions, arrivals: database,
                               actuator: KubernetesActuator(client: kubernetes!),
                               dryRun: configuration.scalingDryRun, leadership: leadership,
                               audit: audit, rateLimit: configuration.scalingRateLimit,
                               metricMaxAgeMilliseconds: scalingMetricAge, nodeLeads: Self.nodeLeads(configuration.nodeGroups),
                               reloads: reloads, clock: clock, logger: logger),
            ] as [any Service])
              + (policies.isEmpty ? [] : configuration.scalingLeaderElection.map { election -> [any Service] in
                [LeaderElectionService(leadership: leadership!,
                                       lock: KubernetesLeaseLock(client: kubernetes!, namespace: election.namespace, name: election.lease),
                                       clock: clock, logger: logger)]
            } ?? [])
              + forwarders
              + (source?.ownedClient.map { [HTTPClientOwner(client: $0)] as [any Service] } ?? [])
              + (configuration.nodeGroups.isEmpty ? [] : [
                NodeScalingService(groups: configuration.nodeGroups, provider: nodeProviders, client: nodeClient!, settings: configuration.nodeScaling,
                                   decisions: policies.isEmpty ? nil : decisions, audit: audit,
                                   alert: alertInbox.map { inbox in Self.nodeAlerts(inbox: inbox, configuration: configuration) }, clock: clock, logger: logger),
            ] as [any Service])
              + (policies.isEmpty || alertInbox == nil || !configuration.scalingAlerts ? [] : [
                ScalingAlertService(decisions: decisions, inbox: alertInbox!,
                                    state: ScalingAlertState(atMaxFor: configuration.scalingAlertAtMaxFor.inMilliseconds),
                                    externalLabels: configuration.externalLabels, externalURL: configuration.externalURL,
                                    clock: clock, logger: logger),
            ] as [any Service]),
            onServerRunning: { channel in
                logger.info("Surge is listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? listen.description)"])
            },
            logger: logger)
    }

    static func accessControl(_ configuration: SurgeConfiguration, logger: Logger) throws -> AccessControl {
        let options = AccessControl.Options(adminEnabled: configuration.enableAdminAPI, allowedHosts: configuration.allowedHosts,
                                            lifecycleEnabled: configuration.enableLifecycle)
        guard let file = configuration.webConfigFile else { return AccessControl(options: options, logger: logger) }
        do {
            return try AccessControl(options: options, logger: logger) { try WebConfigFile.load(path: file) }
        } catch {
            throw StartupError(description: "\(error)")
        }
    }

    /// Each group's provider: Cluster API through the node loop's API client, one Magnum and one
    /// webhook provider for all their groups (tokens and sizes are kept per group).
    public static func nodeProviders(client: KubernetesClient?) -> @Sendable (NodeGroup) -> any NodeProvider {
        let magnum = MagnumProvider(), webhook = WebhookNodeProvider()
        let clusterAPI = client.map { ClusterAPIProvider(client: $0) }
        return { group in
            switch group.provider {
            case .clusterAPI: clusterAPI!
            case .magnum: magnum
            case .webhook: webhook
            }
        }
    }

    /// `NodeGroupProviderUnavailable`, to the alert notifiers with the external labels.
    static func nodeAlerts(inbox: AlertInbox, configuration: SurgeConfiguration) -> @Sendable (String, Date, Date?, String) -> Void {
        { group, since, resolvedAt, message in
            let labels = configuration.externalLabels.merging(["alertname": "NodeGroupProviderUnavailable", "node_group": group, "severity": "warning"]) { $1 }
            let start = Int64(since.timeIntervalSince1970 * 1000)
            inbox.send([NotifiedAlert(labels: Labels(labels), annotations: [
                "summary": "The provider of node group \(group) cannot be reached; the group is held.",
                "description": message,
            ], startsAt: start, endsAt: resolvedAt.map { Int64($0.timeIntervalSince1970 * 1000) },
               generatorURL: configuration.externalURL)])
        }
    }

    /// Per policy: the longest boot time of the node groups that serve it.
    static func nodeLeads(_ groups: [NodeGroup]) -> [String: Double] {
        var leads: [String: Double] = [:]
        for group in groups { for policy in group.policies { leads[policy] = max(leads[policy] ?? 0, group.bootSeconds) } }
        return leads
    }

    static func scalingClient(_ connection: KubernetesSDConfig, purpose: String = "scaling") throws -> KubernetesClient {
        do {
            return try KubernetesClient(credentials: try connection.credentials(), httpClient: .shared)
        } catch {
            throw StartupError(description: "\(purpose): cannot reach Kubernetes: \(error)")
        }
    }
}

/// A problem that stops the server before it starts, with the file and line when there is one.
public struct StartupError: Error, CustomStringConvertible {
    public var description: String
}

extension ScalingDecisionView {
    init(_ snapshot: ScalingDecisions.Snapshot) {
        let policy = snapshot.policy
        self.init(policy: policy.name, source: policy.source,
                  target: Target(apiVersion: policy.target.apiVersion, kind: policy.target.kind, namespace: policy.target.namespace, name: policy.target.name),
                  evaluatedAt: snapshot.evaluatedAt, trigger: snapshot.trigger?.rawValue, evaluations: snapshot.evaluations,
                  failures: snapshot.failures, lastError: snapshot.lastError, decision: snapshot.decision, applied: snapshot.applied,
                  lastAction: snapshot.lastAction)
    }
}

extension RuleGroupView {
    init(_ entry: RuleStatusBoard.Entry) {
        let evaluation = entry.evaluation
        let rules = evaluation.group.rules.enumerated().map { index, rule -> RuleView in
            let health = evaluation.health[index]
            var view = RuleView(kind: { if case .alerting = rule { return .alerting } else { return .recording } }(), name: rule.name, query: rule.expr,
                                labels: [:], health: health.map { $0.error == nil ? "ok" : "err" } ?? "unknown", lastError: health?.error ?? "",
                                evaluationTime: health.map { Double($0.duration.components.attoseconds) / 1e18 + Double($0.duration.components.seconds) } ?? 0,
                                lastEvaluation: health?.lastEvaluation)
            switch rule {
            case .recording(let recording):
                view.labels = recording.labels
            case .alerting(let alerting):
                view.labels = alerting.labels
                view.annotations = alerting.annotations
                view.duration = Double(alerting.holdDuration) / 1000
                view.keepFiringFor = Double(alerting.keepFiringFor) / 1000
                let alerts = evaluation.alertStates[index].map { Array($0.active.values) } ?? []
                view.alerts = alerts.filter { $0.state != .inactive }.sorted { $0.labels < $1.labels }
                    .map { AlertView(labels: $0.labels.dictionary, annotations: $0.annotations, state: $0.state.rawValue, activeAt: $0.activeAt,
                                     value: $0.value, keepFiringSince: $0.keepFiringSince) }
            }
            return view
        }
        let seconds = entry.lastDuration.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 0
        self.init(name: evaluation.group.name, file: evaluation.group.file, interval: Double(evaluation.interval) / 1000,
                  limit: evaluation.group.limit, rules: rules, evaluationTime: seconds, lastEvaluation: entry.lastEvaluation)
    }
}

extension TargetView {
    init(_ entry: ScrapeTargetsStatus.Entry) {
        let target = entry.target
        self.init(scrapePool: target.scrapePool, scrapeURL: target.url, discoveredLabels: target.discoveredLabels,
                  labels: target.labels, health: entry.health,
                  lastError: entry.lastError, lastScrape: entry.lastScrape, lastScrapeDuration: entry.lastScrapeDuration,
                  scrapeInterval: formatDuration(target.interval.inMilliseconds), scrapeTimeout: formatDuration(target.timeout.inMilliseconds))
    }
}
