import App
import ArgumentParser
import QueryClient

/// `--http.config.file`, as promtool takes it: credentials and TLS for the server a command calls.
struct HTTPClientOptions: ParsableArguments {
    @Option(name: .customLong("http.config.file"),
            help: "HTTP client configuration in Prometheus' format: basic_auth, authorization, bearer_token_file, tls_config.")
    var httpConfigFile: String?

    func settings() throws -> HTTPClientSettings {
        guard let httpConfigFile else { return HTTPClientSettings() }
        do {
            return try HTTPClientConfigFile.load(path: httpConfigFile)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
