import HTTPAPI
import Testing

/// The browser checks on their own: what counts as cross-site, and which Host names are ours.
@Suite struct RequestOriginTests {
    @Test(arguments: [
        (nil, nil, "127.0.0.1:9470", false),
        ("same-origin", nil, "127.0.0.1:9470", false),
        ("none", nil, "127.0.0.1:9470", false),
        ("same-site", nil, "127.0.0.1:9470", true),
        ("cross-site", nil, "127.0.0.1:9470", true),
        (nil, "http://127.0.0.1:9470", "127.0.0.1:9470", false),
        (nil, "http://surge.example", "surge.example:80", false),
        (nil, "https://surge.example", "surge.example", false),
        (nil, "http://127.0.0.1:9471", "127.0.0.1:9470", true),
        (nil, "http://evil.example", "127.0.0.1:9470", true),
        (nil, "null", "127.0.0.1:9470", true),
        (nil, "http://127.0.0.1:9470", nil, true),
    ] as [(String?, String?, String?, Bool)])
    func crossSite(fetchSite: String?, origin: String?, host: String?, refused: Bool) {
        let request = RequestOrigin(host: host, origin: origin, fetchSite: fetchSite)
        #expect((request.crossSiteReason != nil) == refused, "\(request)")
    }

    @Test(arguments: [
        ("127.0.0.1:9470", false), ("[::1]:9470", false), ("localhost:9470", false), ("10.0.0.7", false),
        ("surge.monitoring.svc:9470", false), ("SURGE.MONITORING.SVC", false), (nil, false),
        ("evil.example:9470", true), ("127.0.0.1.evil.example", true), ("1270.0.0.1", true), ("localhost.evil.example:9470", true),
    ] as [(String?, Bool)])
    func foreignHost(host: String?, refused: Bool) {
        let request = RequestOrigin(host: host, origin: nil, fetchSite: nil)
        #expect((request.foreignHostReason(allowedHosts: ["surge.monitoring.svc"]) != nil) == refused, "\(host ?? "none")")
    }
}
