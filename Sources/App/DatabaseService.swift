import ServiceLifecycle
import Storage

/// Keeps the database open while the server runs and closes it (flushing the WAL) on shutdown.
struct DatabaseService: Service {
    let database: Database

    func run() async throws {
        try? await gracefulShutdown()
        database.close()
    }
}
