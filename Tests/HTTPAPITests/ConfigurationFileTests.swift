import App
import Foundation
import Storage
import Testing

@Suite struct ConfigurationFileTests {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func theExampleFileStatesTheDefaults() throws {
        let parsed = try ConfigurationFile.load(path: Self.root.appendingPathComponent("surge.example.yml").path)
        #expect(parsed == SurgeConfiguration())
    }

    @Test func storageKeysAreRead() throws {
        let config = try ConfigurationFile.parse("""
            storage:
              block_duration: 30m
              retention_time: 7d
              retention_size: 1000000
              out_of_order_window: 10m
              max_series: 10
            remote_write:
              max_inflight_requests: 3
            """, path: "s.yml")
        #expect(config.storage.blockRange == Int64(30 * 60_000))
        #expect(config.storage.retentionTime == Int64(7 * 86_400_000))
        #expect(config.storage.retentionBytes == 1_000_000)
        #expect(config.storage.outOfOrderWindow == Int64(10 * 60_000))
        #expect(config.storage.limits.maxSeries == 10)
        #expect(config.remoteWriteLimits.maxInflightRequests == 3)
        #expect(try ConfigurationFile.parse("storage:\n  retention_time: 0\n", path: "s.yml").storage.retentionTime == nil)
    }

    @Test(arguments: [
        ("storage:\n  block_duration: soon\n", "s.yml:2: block_duration must be a duration of at least 1m, such as 2h"),
        ("storage:\n  max_series: -1\n", "s.yml:2: expected a positive integer"),
        ("storage:\n  retension_time: 1d\n", "s.yml:2: unknown key \"retension_time\""),
    ])
    func badStorageKeysNameTheLine(text: String, message: String) {
        #expect {
            try ConfigurationFile.parse(text, path: "s.yml")
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }
}
