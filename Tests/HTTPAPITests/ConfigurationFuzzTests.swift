import App
import Foundation
import SurgeTestKit
import Testing

/// Damaged configuration files are refused with an error naming the file, never trapped on.
@Suite struct ConfigurationFuzzTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func damagedServeConfigurationsAreRefusedNamingTheFile() throws {
        let text = try String(contentsOf: Self.repository.appendingPathComponent("surge.example.yml"), encoding: .utf8)
        _ = try ConfigurationFile.parse(text, path: "surge.yml")
        let errors = TextDamage.errors(parsing: text, copies: 1_500) { _ = try ConfigurationFile.parse($0, path: "surge.yml") }
        #expect(!errors.isEmpty)
        for (error, damaged) in errors { #expect("\(error)".hasPrefix("surge.yml"), "\(error)\n\(damaged)") }
    }
}
