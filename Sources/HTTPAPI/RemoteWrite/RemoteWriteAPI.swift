import HTTPTypes
import Hummingbird
import Prometheus
import TimeSeriesCore
import WireFormat

/// `POST /api/v1/write`: Prometheus remote-write 1.0 and 2.0, snappy-compressed protobuf.
public struct RemoteWriteAPI: Sendable {
    let appender: any SeriesAppender
    let decoder: RemoteWriteDecoder
    let metrics: APIMetrics
    let limits: RemoteWriteLimits
    let metadata: MetricMetadataStore
    let gate: InflightGate

    public init(appender: any SeriesAppender, maxDecodedBytes: Int, limits: RemoteWriteLimits = .init(),
                metadata: MetricMetadataStore = MetricMetadataStore(), metrics: APIMetrics) {
        self.appender = appender
        self.metadata = metadata
        self.decoder = RemoteWriteDecoder(maxDecodedBytes: maxDecodedBytes)
        self.metrics = metrics
        self.limits = limits
        self.gate = InflightGate(limit: limits.maxInflightRequests)
    }

    func handle(_ request: Request) async -> Response {
        guard gate.enter() else {
            metrics.writeRequest(code: 503)
            var response = textResponse(
                "overloaded: \(gate.limit) write requests are already in flight (remote_write_receiver.max_inflight_requests); retry later\n",
                status: .serviceUnavailable)
            response.headers[.retryAfter] = "1"
            return response
        }
        defer { gate.leave() }
        let response = await respond(request)
        metrics.writeRequest(code: response.status.code)
        return response
    }

    enum Collected: Sendable {
        case body(ByteBuffer)
        case tooLarge
        case late
    }

    /// The request's body, unless it is too large or does not arrive in time.
    static func collect(_ request: Request, upTo limit: Int, within timeout: Duration) async -> Collected {
        await withTaskGroup(of: Collected.self) { group in
            group.addTask {
                var request = request
                do { return .body(try await request.collectBody(upTo: limit)) } catch { return Task.isCancelled ? .late : .tooLarge }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .late
            }
            let first = await group.next() ?? .late
            group.cancelAll()
            return first
        }
    }

    private func respond(_ request: Request) async -> Response {
        if let encoding = request.headers[.contentEncoding], !encoding.isEmpty, encoding.lowercased() != "snappy" {
            return textResponse("unsupported content encoding \(jsonQuoted(encoding)); only snappy is accepted\n", status: .unsupportedMediaType)
        }
        let contentType = request.headers[.contentType]
        guard let version = RemoteWriteVersion(contentType: contentType) else {
            return textResponse(
                "unsupported content type \(jsonQuoted(contentType ?? "")); expected \(RemoteWriteVersion.v1ContentType) or \(RemoteWriteVersion.v2ContentType)\n",
                status: .unsupportedMediaType)
        }
        // A snappy block is at most a little larger than what it decodes to.
        let maxCompressed = decoder.maxDecodedBytes + decoder.maxDecodedBytes / 6 + 32
        // A declared length beyond the limit is refused before a byte of the body is waited for.
        if let declared = request.headers[.contentLength].flatMap({ UInt64($0) }), declared > UInt64(maxCompressed) {
            return textResponse("request body of \(declared) bytes exceeds the limit of \(maxCompressed) bytes\n", status: .contentTooLarge)
        }
        let body: ByteBuffer
        switch await Self.collect(request, upTo: maxCompressed, within: limits.bodyTimeout) {
        case .body(let collected): body = collected
        case .tooLarge: return textResponse("request body exceeds the limit of \(maxCompressed) bytes\n", status: .badRequest)
        case .late:
            return textResponse("request body not received within remote_write_receiver.body_timeout (\(limits.bodyTimeout))\n", status: .requestTimeout)
        }
        let decoded: DecodedWrite
        do {
            decoded = try body.withUnsafeReadableBytes { try decoder.decode(compressed: $0, version: version) }
        } catch {
            return textResponse("\(error)\n", status: .badRequest)
        }
        let samples = decoded.sampleCount
        if samples > limits.maxSamplesPerRequest {
            metrics.rejectedSamples(samples, reason: "max_samples_per_request")
            return textResponse(
                "request has \(samples) samples, more than remote_write_receiver.max_samples_per_request (\(limits.maxSamplesPerRequest)); nothing was stored\n",
                status: .badRequest)
        }
        let result: AppendResult
        do {
            result = try appender.append(decoded.batch)
        } catch {
            return textResponse("storage: \(error)\n", status: .internalServerError)
        }
        for entry in decoded.metadata { metadata.record(entry.metadata, for: entry.name) }
        metrics.samplesIngested.increment(by: Int64(result.samplesAppended))
        metrics.seriesCreated.increment(by: Int64(result.seriesCreated))
        metrics.histogramsDropped.increment(by: Int64(decoded.histograms))
        for (reason, count) in result.rejections { metrics.rejectedSamples(count, reason: reason.rawValue) }
        var headers = HTTPFields()
        if version == .v2 {
            headers[HTTPField.Name("X-Prometheus-Remote-Write-Samples-Written")!] = String(result.samplesAppended)
            headers[HTTPField.Name("X-Prometheus-Remote-Write-Histograms-Written")!] = "0"
            headers[HTTPField.Name("X-Prometheus-Remote-Write-Exemplars-Written")!] = "0"
        }
        if let rejection = result.firstRejection {
            headers[.contentType] = "text/plain; charset=utf-8"
            let message = "\(rejection) (\(result.rejected) of \(result.rejected + result.samplesAppended) samples refused, the rest stored)\n"
            return Response(status: .badRequest, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
        }
        return Response(status: .noContent, headers: headers)
    }
}
