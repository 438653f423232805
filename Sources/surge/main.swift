import App

// `surge serve` answers requests on the event loop that read them (see runTasksOnEventLoops); the
// other commands keep Swift's default executor. This must happen before any task starts.
if CommandLine.arguments.dropFirst().first == "serve" {
    _ = runTasksOnEventLoops()
}
await Surge.runAsRoot()
