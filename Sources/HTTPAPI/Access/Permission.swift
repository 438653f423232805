/// What an identity may do. Routes need one of these, except health checks, which need none.
public enum Permission: String, Sendable, CaseIterable, Comparable {
    /// The query API, the UI, federation and the scrape endpoint.
    case read
    /// Remote-write.
    case write
    /// Flushing the head and every other `/api/v1/admin/` or lifecycle route.
    case admin

    public static func < (a: Permission, b: Permission) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The permission a route needs; nil for the health checks, which load balancers and
    /// Kubernetes probes call without credentials and which tell nothing about the data.
    /// `path` is the route's pattern when the router matched one, so a request cannot reach an
    /// admin route under a spelling that is classified as something else.
    public static func needed(forRoute path: String) -> Permission? {
        switch path {
        case "/-/healthy", "/-/ready": nil
        case "/api/v1/write": .write
        case _ where path.hasPrefix("/api/v1/admin/") || path == "/-/reload" || path == "/-/quit": .admin
        default: .read
        }
    }
}
