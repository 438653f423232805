import Hummingbird

/// An error of the Prometheus HTTP API: `{"status":"error","errorType":"...","error":"..."}`.
public struct APIError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        case badData = "bad_data"
        case execution
        case timeout
        case notFound = "not_found"
        case `internal`
        case unavailable

        var status: HTTPResponse.Status {
            switch self {
            case .badData: .badRequest
            case .execution: .unprocessableContent
            case .timeout: .serviceUnavailable
            case .notFound: .notFound
            case .internal: .internalServerError
            case .unavailable: .serviceUnavailable
            }
        }
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func invalidParameter(_ name: String, _ reason: String) -> APIError {
        APIError(.badData, "invalid parameter \(jsonQuoted(name)): \(reason)")
    }

    public var description: String { message }

    var response: Response {
        var json = JSONWriter()
        json.raw("{\"status\":\"error\",\"errorType\":")
        json.string(kind.rawValue)
        json.raw(",\"error\":")
        json.string(message)
        json.raw("}")
        return jsonResponse(json.text, status: kind.status)
    }
}

/// Go's `%q` for the simple strings of parameter names.
func jsonQuoted(_ s: String) -> String { "\"" + s + "\"" }

func jsonResponse(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(
        status: status,
        headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
}

func textResponse(_ body: String, status: HTTPResponse.Status, contentType: String = "text/plain; charset=utf-8") -> Response {
    Response(
        status: status,
        headers: [.contentType: contentType],
        body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
}

/// `{"status":"success","data":...}` around already-encoded data.
func successResponse(data: String) -> Response {
    let prefix = "{\"status\":\"success\",\"data\":"
    var buffer = ByteBuffer()
    buffer.reserveCapacity(prefix.utf8.count + data.utf8.count + 1)
    buffer.writeString(prefix)
    buffer.writeString(data)
    buffer.writeString("}")
    return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: buffer))
}
