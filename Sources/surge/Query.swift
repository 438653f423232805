import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import QueryClient
import SurgeCLI

struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a PromQL query against a Surge (or any Prometheus) server.",
        discussion: """
            An instant query by default; give --start and --end (and optionally --step) for a range query. \
            Times are Unix seconds or RFC 3339.
            """)

    enum Output: String, ExpressibleByArgument, CaseIterable { case table, json, chart }

    @Argument(help: "The PromQL expression, e.g. 'up' or 'up{job=\"prometheus\"}'.")
    var expression: String

    @Option(name: .long, help: "Evaluation time of an instant query. (default: now)")
    var time: String?

    @Option(name: .long, help: "Start of a range query.")
    var start: String?

    @Option(name: .long, help: "End of a range query.")
    var end: String?

    @Option(name: .long, help: "Step of a range query, seconds or a duration like 15s. (default: 15s)")
    var step: String = "15s"

    @Option(name: .long, help: "Server base URL.")
    var server: String = "http://127.0.0.1:9470"

    @OptionGroup var http: HTTPClientOptions

    @Option(name: [.short, .customLong("output")], help: "Output format: table, json, or chart (a sparkline per series of a range, a bar per element of an instant vector).")
    var output: Output = .table

    @Option(name: .long, help: "Width in columns of the chart's lines and bars.")
    var width: Int = 60

    func validate() throws {
        if (start == nil) != (end == nil) { throw ValidationError("--start and --end go together") }
        if start != nil && time != nil { throw ValidationError("--time is for instant queries; use --start/--end for a range") }
    }

    func run() async throws {
        var parameters = [("query", expression)]
        let path: String
        if let start, let end {
            path = "/api/v1/query_range"
            parameters += [("start", start), ("end", end), ("step", step)]
        } else {
            path = "/api/v1/query"
            if let time { parameters.append(("time", time)) }
        }
        let settings = try http.settings()
        let body = QueryHTTP.formEncode(parameters)
        var request = HTTPClientRequest(url: server.trimmingSuffix("/") + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        settings.authorize(&request)
        request.body = .bytes(ByteBuffer(string: body))
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            (response, bytes) = try await settings.withClient { client in
                let response = try await client.execute(request, timeout: .seconds(60))
                return (response, try await response.body.collect(upTo: 256 << 20))
            }
        } catch {
            throw CLIError("cannot reach \(server): \(error)")
        }
        let text = String(buffer: bytes)
        if output == .json {
            print(text)
            if response.status.code >= 400 { throw ExitCode(1) }
            return
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CLIError("server answered \(response.status.code) with a body that is not JSON: \(text.prefix(200))")
        }
        if json["status"] as? String != "success" {
            throw CLIError("\(json["errorType"] as? String ?? "error"): \(json["error"] as? String ?? text)")
        }
        let data = json["data"] as? [String: Any] ?? [:]
        switch output {
        case .chart: print(ResultChart.render(data, width: width), terminator: "")
        default: print(ResultTable.render(data), terminator: "")
        }
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
