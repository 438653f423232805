import App
import Foundation
import Logging
import Synchronization
import Testing

@Suite struct LineLogHandlerTests {
    final class Lines: Sendable {
        let all = Mutex<[String]>([])
        func append(_ line: String) { all.withLock { $0.append(line) } }
    }

    @Test func linesHaveTheStreamLayoutAndMergeMetadataAtWriteTime() throws {
        let lines = Lines()
        var logger = Logger(label: "surge") { LineLogHandler(label: $0, write: lines.append) }
        logger[metadataKey: "request"] = "r1"
        logger[metadataKey: "b"] = "from-logger"
        logger.debug("below the level")
        logger.info("answered", metadata: ["b": "from-entry", "a": "1"])
        logger.logLevel = .debug
        logger[metadataKey: "request"] = nil
        logger.debug("now shown")

        let written = lines.all.withLock { $0 }
        #expect(written.count == 2)
        let first = try #require(written.first)
        // `2026-12-06T06:16:14+0000 info surge: a=1 b=from-entry request=r1 [HTTPAPITests] answered`
        #expect(first.hasSuffix(" info surge: a=1 b=from-entry request=r1 [HTTPAPITests] answered\n"), "\(first)")
        #expect(first.prefix(4).allSatisfy(\.isNumber) && first.dropFirst(4).first == "-", "\(first)")
        #expect(written.last?.hasSuffix(" debug surge: b=from-logger [HTTPAPITests] now shown\n") == true, "\(written)")
    }

    @Test func logfmtAndJSONCarryTheSameFieldsQuotedAsTheyMustBe() throws {
        let lines = Lines()
        for format in [LineLogHandler.Format.logfmt, .json] {
            var logger = Logger(label: "surge") { label in
                var handler = LineLogHandler(label: label, write: lines.append)
                handler.format = format
                return handler
            }
            logger[metadataKey: "path"] = "/api/v1/query"
            logger.warning("said \"no\"\tthen left", metadata: ["empty": "", "a b": "x=y"])
        }
        let written = lines.all.withLock { $0 }
        #expect(written.count == 2)
        let logfmt = try #require(written.first), json = try #require(written.last)
        #expect(logfmt.hasPrefix("ts=") && logfmt.hasSuffix(
            " level=warn component=surge source=HTTPAPITests msg=\"said \\\"no\\\"\\tthen left\" a_b=\"x=y\" empty=\"\" path=/api/v1/query\n"), "\(logfmt)")
        // The JSON line is one object a JSON reader takes, with the same fields.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
        #expect(object["level"] == "warn" && object["component"] == "surge" && object["msg"] == "said \"no\"\tthen left", "\(json)")
        #expect(object["a b"] == "x=y" && object["empty"] == "" && object["path"] == "/api/v1/query" && object["ts"] != nil, "\(json)")
        #expect(json.hasSuffix("}\n") && !json.dropLast().contains("\n"))
    }
}
