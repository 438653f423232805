import Foundation

/// The `surge` executable built by `swift build` in this package's `.build` directory.
public enum SurgeBinary {
    /// Locates the binary from a test file's path: the package root is the nearest directory above it
    /// holding Package.swift.
    public static func path(testFile: String = #filePath) throws -> String {
        var root = URL(fileURLWithPath: testFile).deletingLastPathComponent()
        while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root.deleteLastPathComponent()
        }
        if let explicit = ProcessInfo.processInfo.environment["SURGE_BINARY"] { return explicit }
        for configuration in ["debug", "release"] {
            let candidate = root.appendingPathComponent(".build/\(configuration)/surge").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestKitError("the surge binary was not found under \(root.path)/.build; run `swift build` first")
    }

    /// Starts `surge serve --no-collect` on a free port with the given data directory and waits until ready.
    public static func serve(dataDirectory: String, port: Int, logURL: URL, configPath: String? = nil,
                             testFile: String = #filePath) async throws -> ChildProcess {
        let config = configPath.map { ["--config", $0] } ?? []
        let process = try ChildProcess(
            executable: try path(testFile: testFile),
            arguments: ["serve", "--no-collect", "--data-dir", dataDirectory, "--listen", "127.0.0.1:\(port)"] + config,
            logURL: logURL)
        try await TestHTTP.waitUntilReady("http://127.0.0.1:\(port)/-/ready", process: process)
        return process
    }
}
