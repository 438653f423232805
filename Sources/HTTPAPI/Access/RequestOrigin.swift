/// Checks that keep browsers from being used against the server: a page on another site must not
/// write or flush through a visitor's browser (cross-site requests), and a page whose name the
/// attacker points at the server's address must not reach admin routes (DNS rebinding).
public struct RequestOrigin: Sendable, Equatable {
    /// The `Host` header, with its port.
    public var host: String?
    /// The `Origin` header.
    public var origin: String?
    /// The `Sec-Fetch-Site` header browsers send with every request.
    public var fetchSite: String?

    public init(host: String?, origin: String?, fetchSite: String?) {
        self.host = host
        self.origin = origin
        self.fetchSite = fetchSite
    }

    /// Why a browser on another site sent the request, or nil when nothing says so. Remote-write
    /// senders and command-line clients send neither header.
    public var crossSiteReason: String? {
        if let fetchSite, fetchSite != "same-origin", fetchSite != "none" {
            return "a cross-site request (Sec-Fetch-Site: \(fetchSite))"
        }
        guard let origin else { return nil }
        guard let originHost = Self.authority(ofOrigin: origin), let host,
              Self.withoutDefaultPort(host.lowercased()) == Self.withoutDefaultPort(originHost) else {
            return "a request from another origin (\(origin))"
        }
        return nil
    }

    /// Why the `Host` header is not this server's, or nil: an IP address, `localhost` and the
    /// names in `allowedHosts` are; a missing header (HTTP/1.0, no browser) is too.
    public func foreignHostReason(allowedHosts: [String]) -> String? {
        guard let host, !host.isEmpty else { return nil }
        let name = Self.hostName(host).lowercased()
        if name == "localhost" || name.hasSuffix(".localhost") || Self.isIPAddress(name) { return nil }
        if allowedHosts.contains(where: { $0.lowercased() == name }) { return nil }
        return "the Host header names \(name), which is not one of this server's names (web.allowed_hosts)"
    }

    /// `scheme://host[:port]` → `host[:port]`, lowercased; nil for `null` and anything else.
    static func authority(ofOrigin origin: String) -> String? {
        guard let range = origin.firstRange(of: "://") else { return nil }
        let rest = origin[range.upperBound...]
        guard !rest.isEmpty, !rest.contains("/") else { return nil }
        let scheme = origin[..<range.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        return rest.lowercased()
    }

    /// Browsers leave the default port out of Origin; clients may put it in Host.
    static func withoutDefaultPort(_ authority: String) -> String {
        for port in [":80", ":443"] where authority.hasSuffix(port) { return String(authority.dropLast(port.count)) }
        return authority
    }

    /// The host of `host[:port]` or `[v6]:port`, without brackets or port.
    static func hostName(_ authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<end])
        }
        if let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon {
            return String(authority[..<colon])
        }
        return authority
    }

    static func isIPAddress(_ name: String) -> Bool {
        if name.contains(":") { return name.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && Int(part)! <= 255
        }
    }
}
