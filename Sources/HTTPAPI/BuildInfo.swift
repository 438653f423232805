/// What /api/v1/status/buildinfo and `surge version` report.
public struct BuildInfo: Sendable {
    public static let current = BuildInfo()

    public var version = "0.1.0"
    public var revision = "unknown"
    public var branch = "main"
    public var swiftVersion: String {
        #if swift(>=6.3)
        "6.3"
        #elseif swift(>=6.2)
        "6.2"
        #else
        "6"
        #endif
    }

    /// Prometheus' buildinfo object; `goVersion` carries the language version for clients that read it.
    var json: String {
        var w = JSONWriter()
        w.raw("{\"version\":"); w.string(version)
        w.raw(",\"revision\":"); w.string(revision)
        w.raw(",\"branch\":"); w.string(branch)
        w.raw(",\"buildUser\":\"\",\"buildDate\":\"\",\"goVersion\":"); w.string("swift" + swiftVersion)
        w.raw("}")
        return w.text
    }
}
