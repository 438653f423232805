import Hummingbird

/// Agent mode keeps no queryable store: the routes that read stored samples answer as Prometheus'
/// agent does (422, errorType `execution`), instead of answering empty as if nothing were stored.
/// Ingestion, the collectors' endpoints, targets and Surge's own metrics stay.
public struct AgentModeMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = context.endpointPath ?? request.uri.path
        guard storedSampleRoutes.contains(route) || route.hasPrefix("/api/v1/label/") else { return try await next(request, context) }
        return APIError(.execution, "unavailable in agent mode: this Surge keeps no queryable store; query the server it forwards to").response
    }
}

/// The routes that read stored samples, made once (a generic type cannot hold a stored constant).
private let storedSampleRoutes: Set<String> = [
    "/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/api/v1/labels", "/api/v1/query_exemplars",
    "/api/v1/label/{name}/values", "/api/v1/status/tsdb", "/api/v1/admin/tsdb/flush", "/federate",
]
