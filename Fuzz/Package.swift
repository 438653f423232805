// swift-tools-version: 6.1
import Foundation
import PackageDescription

// libFuzzer targets, built by scripts/fuzz with `-sanitize=fuzzer,address`; never part of the
// main build. The root package is a path dependency, whose identity is its directory's name.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
let targets = ["FuzzRemoteWrite", "FuzzExposition", "FuzzPromQLParser", "FuzzPromQLEval", "FuzzQueryAPI", "FuzzConfig", "FuzzTemplate", "FuzzWAL", "FuzzBlock"]

let package = Package(
    name: "SurgeFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "SurgeKit", package: root)]),
    ] + targets.map { name in
        .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "SurgeKit", package: root)])
    })
