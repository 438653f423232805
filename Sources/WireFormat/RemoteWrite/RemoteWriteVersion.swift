/// The remote-write protocol versions, chosen by the request's Content-Type.
public enum RemoteWriteVersion: String, Sendable, CaseIterable {
    case v1 = "prometheus.WriteRequest"
    case v2 = "io.prometheus.write.v2.Request"

    public static let v2ContentType = "application/x-protobuf;proto=io.prometheus.write.v2.Request"
    public static let v1ContentType = "application/x-protobuf"

    /// Reads `application/x-protobuf[;proto=...]`; a missing header means 1.0, as the spec allows.
    /// Returns nil for anything else (the caller answers 415).
    public init?(contentType: String?) {
        guard let contentType, !contentType.isEmpty else {
            self = .v1
            return
        }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
        guard parts.first?.lowercased() == "application/x-protobuf" else { return nil }
        var proto: String?
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: " \t\"") }
            if pair.count == 2 && pair[0].lowercased() == "proto" { proto = pair[1] }
        }
        switch proto {
        case nil, RemoteWriteVersion.v1.rawValue?: self = .v1
        case RemoteWriteVersion.v2.rawValue?: self = .v2
        default: return nil
        }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
