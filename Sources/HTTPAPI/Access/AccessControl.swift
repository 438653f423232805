import Glibc
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// Who may call the server and how it speaks TLS, from a web configuration that is read again when
/// its file, a token file or a certificate changes: renewed certificates, new users and revoked
/// tokens take effect without a restart. A changed file that does not load leaves the running
/// configuration in place, logged.
public final class AccessControl: Sendable {
    /// A loaded web configuration and every file it was read from.
    public struct Loaded: Sendable {
        public var config: WebConfig
        public var files: [String]

        public init(config: WebConfig, files: [String]) {
            self.config = config
            self.files = files
        }
    }

    /// What the server allows beyond the web configuration.
    public struct Options: Sendable, Equatable {
        /// Whether `/api/v1/admin/` routes answer at all. Default false, as in Prometheus.
        public var adminEnabled = false
        /// Names of this server that admin requests may carry in `Host`, besides IP addresses and
        /// `localhost`.
        public var allowedHosts: [String] = []
        /// Whether `/-/reload` answers. Default false, as Prometheus' `--web.enable-lifecycle`.
        public var lifecycleEnabled = false

        public init(adminEnabled: Bool = false, allowedHosts: [String] = [], lifecycleEnabled: Bool = false) {
            self.adminEnabled = adminEnabled
            self.allowedHosts = allowedHosts
            self.lifecycleEnabled = lifecycleEnabled
        }
    }

    /// The TLS context a new connection is served with, and how client certificates are checked.
    public struct TLSSetup: Sendable {
        let context: NIOSSLContext
        let acceptAnyClientCertificate: Bool
    }

    private struct State: Sendable {
        var loaded: Loaded
        var fingerprints: [FileFingerprint]
        var tls: TLSSetup?
        var checkedAt: ContinuousClock.Instant
    }

    public let options: Options
    /// Whether the server speaks TLS; decided at start, since the listening socket is made once.
    public let servesTLS: Bool
    let passwords = PasswordCheck()
    private let load: @Sendable () throws -> Loaded
    private let recheckInterval: Duration
    private let logger: Logger
    private let state: Mutex<State>

    /// Without a file: no TLS, no credentials, every permission (admin routes still need
    /// `options.adminEnabled`).
    public convenience init(options: Options = Options(), logger: Logger) {
        try! self.init(options: options, recheckInterval: .seconds(3600), logger: logger) { Loaded(config: WebConfig(), files: []) }
    }

    /// Loads the configuration now; an error here stops start-up. `recheckInterval` is how often
    /// the files are looked at for changes, at most.
    public init(options: Options, recheckInterval: Duration = .seconds(1), logger: Logger,
                load: @escaping @Sendable () throws -> Loaded) throws {
        self.options = options
        self.load = load
        self.recheckInterval = recheckInterval
        self.logger = logger
        let loaded = try load()
        let tls = try loaded.config.tls.map(Self.makeTLS)
        servesTLS = tls != nil
        state = Mutex(State(loaded: loaded, fingerprints: loaded.files.map(FileFingerprint.init(path:)), tls: tls,
                            checkedAt: .now))
    }

    /// The configuration in force, after looking for changed files when it is time to.
    public var config: WebConfig {
        refreshIfChanged()
        return state.withLock { $0.loaded.config }
    }

    /// The TLS context for a connection arriving now; nil when the server speaks plain HTTP.
    public var tlsSetup: TLSSetup? {
        refreshIfChanged()
        return state.withLock { $0.tls }
    }

    private func refreshIfChanged() {
        let now = ContinuousClock.now
        let files: [String]? = state.withLock { state in
            guard now - state.checkedAt >= recheckInterval else { return nil }
            state.checkedAt = now
            let current = state.loaded.files.map(FileFingerprint.init(path:))
            return current == state.fingerprints ? nil : state.loaded.files
        }
        guard let files else { return }
        // Fingerprints are taken before reading, so a change while reading is seen next time.
        let fingerprints = files.map(FileFingerprint.init(path:))
        do {
            let loaded = try load()
            let tls = try loaded.config.tls.map(Self.makeTLS)
            if (tls != nil) != servesTLS {
                logger.error("web configuration not reloaded: turning TLS on or off needs a restart")
                state.withLock { $0.fingerprints = fingerprints }
                return
            }
            state.withLock { state in
                state.loaded = loaded
                state.fingerprints = loaded.files == files ? fingerprints : loaded.files.map(FileFingerprint.init(path:))
                state.tls = tls
            }
            logger.notice("web configuration reloaded", metadata: [
                "users": "\(loaded.config.basicAuthUsers.count)", "tokens": "\(loaded.config.bearerTokens.count)",
            ])
        } catch {
            state.withLock { $0.fingerprints = fingerprints }
            logger.error("web configuration not reloaded; the running one stays", metadata: ["error": "\(error)"])
        }
    }

    /// Throws what would stop the settings from serving a connection: unreadable or mismatched files.
    public static func checkTLS(_ settings: WebConfig.TLSServer) throws {
        _ = try makeTLS(settings)
    }

    static func makeTLS(_ settings: WebConfig.TLSServer) throws -> TLSSetup {
        func read<T>(_ what: String, _ file: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch { throw TLSFileError(description: "cannot load \(what) \(file): \(error)") }
        }
        let chain = try read("the certificate", settings.certFile) {
            try NIOSSLCertificate.fromPEMFile(settings.certFile).map(NIOSSLCertificateSource.certificate)
        }
        let key = try read("the key", settings.keyFile) { try NIOSSLPrivateKey(file: settings.keyFile, format: .pem) }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        tls.minimumTLSVersion = settings.minVersion.nio
        tls.maximumTLSVersion = settings.maxVersion?.nio
        if let ca = settings.clientCAFile {
            tls.trustRoots = .certificates(try read("the client CA", ca) { try NIOSSLCertificate.fromPEMFile(ca) })
        }
        switch settings.clientAuth {
        case .none: tls.certificateVerification = .none
        case .request, .verifyIfGiven: tls.certificateVerification = .optionalVerification
        case .requireAny, .requireAndVerify: tls.certificateVerification = .noHostnameVerification
        }
        return TLSSetup(context: try NIOSSLContext(configuration: tls),
                        acceptAnyClientCertificate: settings.clientAuth == .request || settings.clientAuth == .requireAny)
    }
}

struct TLSFileError: Error, CustomStringConvertible {
    var description: String
}

extension WebConfig.TLSVersion {
    var nio: TLSVersion {
        switch self {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
    }
}

/// What tells a file changed without reading it: identity, size and modification time. A file
/// that cannot be read has an empty fingerprint, so its return is a change too.
struct FileFingerprint: Sendable, Equatable {
    var device: UInt64 = 0
    var inode: UInt64 = 0
    var size: Int64 = -1
    var modifiedSeconds: Int = 0
    var modifiedNanoseconds: Int = 0

    init(path: String) {
        var info = stat()
        // Kubernetes updates mounted secrets by swapping a symlink; stat follows it.
        guard stat(path, &info) == 0 else { return }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = info.st_mtim.tv_sec
        modifiedNanoseconds = info.st_mtim.tv_nsec
    }
}
