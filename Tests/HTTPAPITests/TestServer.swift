import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SurgeTestKit
import TimeSeriesCore
import WireFormat

/// Runs the application `surge serve` builds, in-process, on a fresh data directory.
func withSurge<T: Sendable>(
    dataDirectory: TemporaryDirectory? = nil,
    configure: (inout SurgeConfiguration) -> Void = { _ in },
    now: @escaping @Sendable () -> Timestamp = { 1_700_000_100_000 },
    logger: Logger? = nil,
    _ body: @Sendable (any TestClientProtocol) async throws -> T
) async throws -> T {
    let dir = try dataDirectory ?? TemporaryDirectory()
    defer { if dataDirectory == nil { dir.remove() } }
    var configuration = SurgeConfiguration()
    configuration.dataDirectory = dir.path
    configuration.collect = false
    configure(&configuration)
    let logger = logger ?? {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()
    let app = try SurgeServer.buildApplication(configuration: configuration, logger: logger, clock: ManualClock(now: now()))
    return try await app.test(.router, body)
}

extension TestClientProtocol {
    func write(_ series: [RemoteWriteEncoder.WireSeries], version: RemoteWriteVersion = .v1,
               contentType: String? = nil, encoding: String? = "snappy") async throws -> TestResponse {
        try await writeRaw(RemoteWriteEncoder.encode(series, version: version),
                           contentType: contentType ?? (version == .v2 ? RemoteWriteVersion.v2ContentType : RemoteWriteVersion.v1ContentType),
                           encoding: encoding)
    }

    func writeRaw(_ body: [UInt8], contentType: String?, encoding: String? = "snappy") async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        if let encoding { headers[.contentEncoding] = encoding }
        return try await execute(uri: "/api/v1/write", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    func get(_ uri: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .get)
    }

    func postForm(_ uri: String, _ form: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                          body: ByteBuffer(string: form))
    }
}

func series(_ labels: [String: String], _ samples: [(Int64, Double)]) -> RemoteWriteEncoder.WireSeries {
    RemoteWriteEncoder.WireSeries(labels: Labels(labels).pairs, samples: samples.map { Sample(timestamp: $0.0, value: $0.1) })
}

func q(_ text: String) -> String { TestHTTP.urlEncode(text) }
