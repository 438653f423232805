import Hummingbird
import TimeSeriesCore
import WireFormat

/// What the built-in collectors expose for other scrapers: one endpoint per collector job, each
/// answering with the job's newest round.
public struct CollectorEndpoints: Sendable {
    public let paths: [String]
    public let families: @Sendable (String) -> [ExpositionFamily]?

    public init(paths: [String], families: @escaping @Sendable (String) -> [ExpositionFamily]?) {
        self.paths = paths
        self.families = families
    }
}

extension Routes {
    /// The collectors' endpoints in the format `Accept` asks for, and `/federate` in text 0.0.4;
    /// both gzipped when `Accept-Encoding` allows it.
    func registerExposition<Context: RequestContext>(on router: Router<Context>) {
        for path in collectorEndpoints?.paths ?? [] {
            router.get(RouterPath(path)) { request, _ in
                await timed(path) {
                    let format = ExpositionFormat(accept: request.headers[.accept])
                    // Before the first round the endpoint answers an empty exposition, as an exporter
                    // with nothing to report would.
                    let families = collectorEndpoints?.families(path) ?? []
                    let gzip = Gzip.accepted(by: request.headers[.acceptEncoding])
                    return await placement.offload {
                        Self.exposition(ExpositionWriter.write(families, format: format), format: format, gzip: gzip)
                    }
                }
            }
        }
        if let federate {
            router.get("/federate") { request, _ in
                await timed("/federate") {
                    var request = request
                    let parameters: FormParameters
                    do { parameters = try await FormParameters.from(&request) } catch {
                        return textResponse("\(error)\n", status: .badRequest)
                    }
                    let matches = parameters.all("match[]")
                    let gzip = Gzip.accepted(by: request.headers[.acceptEncoding])
                    return await placement.offload {
                        do {
                            let families = try federate.families(matches: matches)
                            return Self.exposition(ExpositionWriter.write(families, format: .text), format: .text, gzip: gzip)
                        } catch {
                            return textResponse("\((error as? APIError)?.message ?? "\(error)")\n", status: .badRequest)
                        }
                    }
                }
            }
        }
    }

    static func exposition(_ body: [UInt8], format: ExpositionFormat, gzip: Bool) -> Response {
        var headers: HTTPFields = [.contentType: format.contentType]
        var bytes = body
        if gzip {
            bytes = Gzip.compress(body)
            headers[.contentEncoding] = "gzip"
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
