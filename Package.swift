// swift-tools-version:6.1
import PackageDescription

/// Every module a file imports is declared by its target, and a member is visible only where its
/// module is imported.
let strict: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]
/// The scaling core is optimized in debug builds too: its tests and `surge backtest` replay weeks of
/// load step by step, which unoptimized code does a hundred times slower.
let optimized: [SwiftSetting] = strict + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "surge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "surge", targets: ["surge"]),
        // For the Benchmarks package; not a stable API.
        .library(name: "SurgeKit", targets: ["App", "Storage", "WireFormat", "TimeSeriesCore", "PromQL", "Collectors", "Kubernetes", "Scaling",
                                             "ScalingRuntime", "QueryClient", "SurgeCLI", "HTTPAPI", "YAMLFiles", "Rules", "Alerting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Already in the graph through async-http-client; its TLSConfiguration carries CA, client
        // certificates and verification settings for the Kubernetes API and https scrapes.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Already in the graph through hummingbird; its event loops run request work and, in the
        // server, Swift concurrency's jobs.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Already in the graph through async-http-client; its decompression limits configure the
        // HTTP clients.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // Basic-auth header parsing and bcrypt for the web configuration's users.
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        // HMAC-SHA256 signatures on webhook posts; already in the graph through hummingbird-auth.
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        // C libraries and the generated remote-write messages.
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        // gzip for the scrape endpoints' answers (apt zlib1g-dev).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CProtobufC", pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        .target(name: "CRemoteWrite", dependencies: ["CProtobufC"]),
        // A C face of RE2 (apt libre2-dev): Prometheus' regular expressions, in linear time.
        .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),

        .target(name: "WireFormat", dependencies: ["CSnappy", "CZlib", "CProtobufC", "CRemoteWrite", "TimeSeriesCore"], swiftSettings: strict),
        .target(name: "TimeSeriesCore", dependencies: ["CRE2"], swiftSettings: strict),
        .target(name: "Storage", dependencies: [
            "TimeSeriesCore",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .target(name: "PromQL", dependencies: ["TimeSeriesCore"], swiftSettings: strict),
        // The query seam over HTTP: any Prometheus-compatible query API.
        .target(name: "QueryClient", dependencies: [
            "TimeSeriesCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
        ], swiftSettings: strict),
        // Remote-write out: queues, batches, retries and shards for each receiver.
        .target(name: "Forwarding", dependencies: [
            "TimeSeriesCore", "Storage", "WireFormat",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        // One reader and one file:line error for every YAML file Surge reads.
        .target(name: "YAMLFiles", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: strict),
        // Pure decisions: no I/O, no clock.
        // Rule files, the alert lifecycle, recording rules' output and the groups' loops.
        .target(name: "Rules", dependencies: [
            "TimeSeriesCore", "YAMLFiles", "Alerting",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        // Alert identity, grouping into notifications and the webhook message.
        .target(name: "Alerting", dependencies: [
            "TimeSeriesCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .target(name: "Scaling", dependencies: ["TimeSeriesCore", "YAMLFiles", .product(name: "Yams", package: "Yams")], swiftSettings: optimized),
        // The only code that changes the outside world: scale subresource writes, Events.
        .target(name: "Actuators", dependencies: [
            "Scaling", "Kubernetes", "Alerting", "TimeSeriesCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: strict),
        .target(name: "Kubernetes", dependencies: [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .target(name: "Collectors", dependencies: [
            "TimeSeriesCore", "WireFormat", "Kubernetes", "YAMLFiles", "Scaling",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        // The policy loops: reads metrics through the query seam, decides with Scaling, publishes
        // (and, with the actuators, applies) the decisions. PromQL's parser checks policy queries
        // and finds the selectors an arrival watch needs; no evaluation happens here.
        .target(name: "ScalingRuntime", dependencies: [
            "Scaling", "Actuators", "TimeSeriesCore", "Kubernetes", "PromQL", "YAMLFiles",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .target(name: "HTTPAPI", dependencies: [
            "PromQL", "WireFormat", "TimeSeriesCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ], swiftSettings: strict),
        // Configuration and the composition root.
        .target(name: "App", dependencies: [
            "Actuators", "HTTPAPI", "Storage", "PromQL", "TimeSeriesCore", "Collectors", "Kubernetes", "Scaling", "ScalingRuntime", "YAMLFiles", "QueryClient", "Rules", "Alerting", "WireFormat", "Forwarding",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], swiftSettings: strict),
        // What only the command line shows: query output, decision and backtest reports, plots,
        // the remote-write load generator.
        .target(name: "SurgeCLI", dependencies: [
            "Scaling", "ScalingRuntime", "TimeSeriesCore", "WireFormat", "QueryClient",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: strict),
        .executableTarget(name: "surge", dependencies: [
            "App", "Rules", "Collectors", "HTTPAPI", "Kubernetes", "QueryClient", "Scaling", "ScalingRuntime", "SurgeCLI", "TimeSeriesCore", "YAMLFiles",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: strict),
        .target(name: "SurgeTestKit", dependencies: [
            "TimeSeriesCore", "WireFormat",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ], swiftSettings: strict),

        .testTarget(name: "WireFormatTests", dependencies: ["WireFormat", "CRemoteWrite", "SurgeTestKit", "TimeSeriesCore"]),
        .testTarget(name: "TimeSeriesCoreTests", dependencies: ["TimeSeriesCore", "SurgeTestKit"]),
        .testTarget(name: "ForwardingTests", dependencies: ["Forwarding", "Storage"]),
        .testTarget(name: "StorageTests", dependencies: [
            "Storage", "TimeSeriesCore", "SurgeTestKit", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "PromQLTests", dependencies: ["PromQL", "TimeSeriesCore", "SurgeTestKit"], exclude: ["Scripts"]),
        .testTarget(name: "HTTPAPITests", dependencies: [
            "App", "Actuators", "HTTPAPI", "WireFormat", "SurgeTestKit", "TimeSeriesCore", "Collectors", "Kubernetes", "Scaling", "ScalingRuntime", "Storage",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "AlertingTests", dependencies: ["Alerting", "TimeSeriesCore", "SurgeTestKit"], exclude: ["Fixtures"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "TimeSeriesCore", "PromQL", "YAMLFiles", "SurgeTestKit"]),
        .testTarget(name: "ScalingTests", dependencies: ["Scaling", "SurgeTestKit"], exclude: ["Fixtures", "Traces"]),
        .testTarget(name: "ScalingRuntimeTests", dependencies: [
            "ScalingRuntime", "Scaling", "Actuators", "Kubernetes", "SurgeTestKit", "TimeSeriesCore", "Storage", "PromQL", "Alerting",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "SurgeCLITests", dependencies: ["SurgeCLI", "Scaling", "ScalingRuntime", "TimeSeriesCore"]),
        .testTarget(name: "KubernetesTests", dependencies: [
            "Kubernetes", "SurgeTestKit",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .testTarget(name: "CollectorsTests", dependencies: [
            "Collectors", "Kubernetes", "SurgeTestKit", "TimeSeriesCore", "WireFormat",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "SurgeTestKit", "WireFormat", "Collectors", "QueryClient", "TimeSeriesCore", "PromQL", "Rules", "Alerting", "App",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Yams", package: "Yams"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
