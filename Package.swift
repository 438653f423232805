// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "surge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "surge", targets: ["surge"]),
        // For the Benchmarks package; not a stable API.
        .library(name: "SurgeKit", targets: ["App", "Storage", "WireFormat", "TimeSeriesCore", "PromQL", "Collectors", "Kubernetes", "Scaling"]),
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
    ],
    targets: [
        // C libraries and the generated remote-write messages.
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CProtobufC", pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        .target(name: "CRemoteWrite", dependencies: ["CProtobufC"]),

        .target(name: "WireFormat", dependencies: ["CSnappy", "CProtobufC", "CRemoteWrite", "TimeSeriesCore"]),
        .target(name: "TimeSeriesCore"),
        .target(name: "Storage", dependencies: [
            "TimeSeriesCore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PromQL", dependencies: ["TimeSeriesCore"]),
        // Pure decisions: no I/O, no clock.
        .target(name: "Scaling", dependencies: ["TimeSeriesCore", .product(name: "Yams", package: "Yams")]),
        .target(name: "Kubernetes", dependencies: [
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Collectors", dependencies: [
            "TimeSeriesCore", "WireFormat", "Kubernetes",
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "HTTPAPI", dependencies: [
            "PromQL", "WireFormat", "TimeSeriesCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "App", dependencies: [
            "HTTPAPI", "Storage", "PromQL", "TimeSeriesCore", "WireFormat", "Collectors", "Kubernetes", "Scaling",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .executableTarget(name: "surge", dependencies: [
            "App", "Collectors", "Kubernetes", "Scaling",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .target(name: "SurgeTestKit", dependencies: [
            "TimeSeriesCore", "WireFormat",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),

        .testTarget(name: "WireFormatTests", dependencies: ["WireFormat", "CRemoteWrite", "SurgeTestKit"]),
        .testTarget(name: "TimeSeriesCoreTests", dependencies: ["TimeSeriesCore"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "TimeSeriesCore", "SurgeTestKit"]),
        .testTarget(name: "PromQLTests", dependencies: ["PromQL", "TimeSeriesCore", "SurgeTestKit"], exclude: ["Scripts"]),
        .testTarget(name: "HTTPAPITests", dependencies: [
            "App", "HTTPAPI", "WireFormat", "SurgeTestKit", "TimeSeriesCore", "Collectors", "Kubernetes", "Scaling",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "ScalingTests", dependencies: ["Scaling", "SurgeTestKit"], exclude: ["Fixtures"]),
        .testTarget(name: "KubernetesTests", dependencies: [
            "Kubernetes", "SurgeTestKit",
            .product(name: "Yams", package: "Yams"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .testTarget(name: "CollectorsTests", dependencies: ["Collectors", "Kubernetes", "SurgeTestKit", .product(name: "AsyncHTTPClient", package: "async-http-client"), "TimeSeriesCore", "WireFormat"], exclude: ["Fixtures"]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "SurgeTestKit", "WireFormat", "Collectors",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
