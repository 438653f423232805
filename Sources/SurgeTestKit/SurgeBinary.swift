import Foundation

/// The package root: the nearest directory above a test file holding Package.swift.
public func packageRoot(testFile: String = #filePath) -> URL {
    var root = URL(fileURLWithPath: testFile).deletingLastPathComponent()
    while root.path != "/" && !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
        root.deleteLastPathComponent()
    }
    return root
}

/// The `surge` executable built by `swift build` in this package's `.build` directory.
public enum SurgeBinary {
    /// Locates the binary from a test file's path: the package root is the nearest directory above it
    /// holding Package.swift.
    public static func path(testFile: String = #filePath) throws -> String {
        let root = packageRoot(testFile: testFile)
        if let explicit = ProcessInfo.processInfo.environment["SURGE_BINARY"] { return explicit }
        for configuration in ["debug", "release"] {
            let candidate = root.appendingPathComponent(".build/\(configuration)/surge").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestKitError("the surge binary was not found under \(root.path)/.build; run `swift build` first")
    }

    /// Starts `surge serve` (with `--no-collect` unless `collect`) on a free port with the given data
    /// directory and waits until ready; `arguments` are added to the command line.
    public static func serve(dataDirectory: String, port: Int, logURL: URL, configPath: String? = nil, collect: Bool = false,
                             arguments extra: [String] = [], readyURL: String? = nil, environment: [String: String] = [:],
                             testFile: String = #filePath) async throws -> ChildProcess {
        let config = configPath.map { ["--config", $0] } ?? []
        let process = try ChildProcess(
            executable: try path(testFile: testFile),
            arguments: ["serve"] + (collect ? [] : ["--no-collect"]) + ["--data-dir", dataDirectory, "--listen", "127.0.0.1:\(port)"] + config + extra,
            logURL: logURL, environment: environment)
        try await TestHTTP.waitUntilReady(readyURL ?? "http://127.0.0.1:\(port)/-/ready", process: process)
        return process
    }

    /// Runs `surge` with the arguments to completion; returns its exit status and standard output
    /// and error together.
    /// The wait happens on a thread of its own, not the tasks' pool: a command talking to a fake
    /// server in this process needs the pool free to be answered.
    public static func run(_ arguments: [String], testFile: String = #filePath) async throws -> (status: Int32, output: String) {
        let executable = try path(testFile: testFile)
        return try await withCheckedThrowingContinuation { done in
            DispatchQueue.global().async { done.resume(with: Result { try runToCompletion(executable, arguments) }) }
        }
    }
}
