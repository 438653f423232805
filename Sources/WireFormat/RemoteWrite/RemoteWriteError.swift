/// Why a remote-write body was refused; every case is a client error (HTTP 400).
public struct RemoteWriteError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Code: String, Sendable {
        case corruptSnappy, corruptProtobuf, invalidLabels, tooLarge, invalidSymbolReference
    }

    public let code: Code
    public let description: String

    public init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
