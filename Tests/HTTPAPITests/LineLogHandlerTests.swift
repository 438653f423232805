import App
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
}
