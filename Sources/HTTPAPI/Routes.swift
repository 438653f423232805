import Hummingbird
import Prometheus
import TimeSeriesCore

/// Every HTTP route of Surge, registered on one router.
public struct Routes: Sendable {
    let query: QueryAPI
    let remoteWrite: RemoteWriteAPI
    let metrics: APIMetrics
    let buildInfo: BuildInfo
    let metadata: MetadataAPI
    let targets: TargetsAPI
    let rules: RulesAPI
    /// The head's figures for `/api/v1/status/tsdb`, when the server has a database.
    let tsdbStatus: TSDBStatusAPI?
    /// Writes the whole head into blocks; returns the new blocks' names.
    let flushHead: (@Sendable () throws -> [String])?
    /// The newest decision of each scaling policy, when the server evaluates policies.
    let scalingDecisions: (@Sendable () -> [ScalingDecisionView])?
    /// Reloads the files the server reads (rules, policies); the problems, or none.
    let reload: (@Sendable () async -> [String])?
    /// Called before /metrics is emitted, to refresh figures read from other parts (the process's among them).
    let beforeMetricsScrape: @Sendable () -> Void
    let placement: WorkPlacement
    /// The built-in collectors' scrape endpoints, when collection runs.
    let collectorEndpoints: CollectorEndpoints?
    /// `/federate`, over the same store the query API reads.
    let federate: FederateAPI?

    public init(query: QueryAPI, remoteWrite: RemoteWriteAPI, metrics: APIMetrics,
                metadata: MetricMetadataStore = MetricMetadataStore(),
                targets: @escaping @Sendable () -> [TargetView] = { [] },
                droppedTargets: @escaping @Sendable () -> [[String: String]] = { [] },
                buildInfo: BuildInfo = .current, flushHead: (@Sendable () throws -> [String])? = nil,
                tsdbStatus: (@Sendable (_ limit: Int) -> TSDBStatus)? = nil,
                scalingDecisions: (@Sendable () -> [ScalingDecisionView])? = nil,
                ruleGroups: @escaping @Sendable () -> [RuleGroupView] = { [] },
                reload: (@Sendable () async -> [String])? = nil,
                beforeMetricsScrape: @escaping @Sendable () -> Void = {}, placement: WorkPlacement = WorkPlacement(),
                collectorEndpoints: CollectorEndpoints? = nil, federate: FederateAPI? = nil) {
        self.collectorEndpoints = collectorEndpoints
        self.federate = federate
        self.query = query
        self.remoteWrite = remoteWrite
        self.metrics = metrics
        self.buildInfo = buildInfo
        self.metadata = MetadataAPI(store: metadata)
        self.targets = TargetsAPI(targets: targets, dropped: droppedTargets)
        self.rules = RulesAPI(groups: ruleGroups)
        self.reload = reload
        self.flushHead = flushHead
        self.tsdbStatus = tsdbStatus.map(TSDBStatusAPI.init(status:))
        self.scalingDecisions = scalingDecisions
        self.beforeMetricsScrape = beforeMetricsScrape
        self.placement = placement
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/api/v1/write") { request, _ in
            await timed("/api/v1/write") { await remoteWrite.handle(request) }
        }
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/api/v1/query", method: method) { request, _ in
                await api("/api/v1/query", request) { query.instantQuery($0) }
            }
            router.on("/api/v1/query_range", method: method) { request, _ in
                await api("/api/v1/query_range", request) { query.rangeQuery($0) }
            }
            router.on("/api/v1/series", method: method) { request, _ in
                await api("/api/v1/series", request) { parameters in .offloaded { try query.series(parameters) } }
            }
            router.on("/api/v1/labels", method: method) { request, _ in
                await api("/api/v1/labels", request) { parameters in .offloaded { try query.labelNames(parameters) } }
            }
            router.on("/api/v1/query_exemplars", method: method) { request, _ in
                await api("/api/v1/query_exemplars", request) { parameters in .inline { try query.exemplars(parameters) } }
            }
        }
        router.get("/api/v1/label/{name}/values") { request, context in
            let name = context.parameters.get("name") ?? ""
            return await api("/api/v1/label/:name/values", request) { parameters in .offloaded { try query.labelValues(name, parameters) } }
        }
        router.get("/api/v1/targets") { request, _ in
            await api("/api/v1/targets", request) { parameters in .inline { try targets.targets(parameters) } }
        }
        router.get("/api/v1/rules") { request, _ in
            await api("/api/v1/rules", request) { parameters in .inline { try rules.rules(parameters) } }
        }
        router.get("/api/v1/alerts") { request, _ in
            await api("/api/v1/alerts", request) { parameters in .inline { try rules.alerts(parameters) } }
        }
        router.get("/api/v1/metadata") { request, _ in
            await api("/api/v1/metadata", request) { parameters in .inline { try metadata.metadata(parameters) } }
        }
        router.get("/api/v1/status/buildinfo") { _, _ in
            successResponse(data: buildInfo.json)
        }
        if let tsdbStatus {
            router.get("/api/v1/status/tsdb") { request, _ in
                await api("/api/v1/status/tsdb", request) { parameters in .offloaded { try tsdbStatus.status(parameters) } }
            }
        }
        if let flushHead {
            // Persists everything in memory as blocks, as a backup or a size measurement wants.
            router.post("/api/v1/admin/tsdb/flush") { _, _ in
                await placement.offload {
                    do {
                        let blocks = try flushHead()
                        return successResponse(data: "{\"blocks\":[" + blocks.map { jsonQuoted($0) }.joined(separator: ",") + "]}")
                    } catch {
                        return APIError(.internal, "flush failed: \(error)").response
                    }
                }
            }
        }
        // The newest decision of each scaling policy, with its explanation.
        router.get("/api/v1/scaling/decisions") { _, _ in
            await timed("/api/v1/scaling/decisions") {
                successResponse(data: ScalingDecisionView.json(scalingDecisions?() ?? []))
            }
        }
        router.get("/metrics") { _, _ in
            beforeMetricsScrape()
            var buffer: [UInt8] = []
            metrics.registry.emit(into: &buffer)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        if let reload {
            // As Prometheus' lifecycle API: 200 once everything reloaded, 500 naming what did not.
            for method in [HTTPRequest.Method.post, .put] {
                router.on("/-/reload", method: method) { _, _ in
                    let problems = await reload()
                    return problems.isEmpty ? textResponse("", status: .ok)
                        : textResponse("failed to reload config: " + problems.joined(separator: "; ") + "\n", status: .internalServerError)
                }
            }
        }
        registerExposition(on: router)
        router.get("/-/healthy") { _, _ in textResponse("Surge is Healthy.\n", status: .ok) }
        router.get("/-/ready") { _, _ in textResponse("Surge is Ready.\n", status: .ok) }
    }

    func timed(_ handler: String, _ body: () async -> Response) async -> Response {
        let start = ContinuousClock.now
        let response = await body()
        metrics.requestDuration(handler: handler, seconds: ContinuousClock.now - start)
        return response
    }

    /// Answers an API request where it was read when `prepare` says the answer is small, and on the
    /// work pool otherwise; label and series listings may be large, so they never run inline.
    private func api(_ handler: String, _ request: Request, _ prepare: (FormParameters) -> APIAnswer) async -> Response {
        await timed(handler) {
            var request = request
            let parameters: FormParameters
            do {
                parameters = try await FormParameters.from(&request)
            } catch {
                return Self.response(to: error)
            }
            let work = prepare(parameters)
            let answer = { @Sendable in
                do {
                    return successResponse(data: try work.compute())
                } catch {
                    return Self.response(to: error)
                }
            }
            return work.small ? answer() : await placement.offload(answer)
        }
    }

    private static func response(to error: any Error) -> Response {
        (error as? APIError)?.response ?? APIError(.internal, "\(error)").response
    }
}
