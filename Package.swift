// swift-tools-version:6.2
// Kho: a content-addressed archive for the communication products of the
// human-rights communication scheme (Decision 1079/QĐ-TTg).
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Kho",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kho", targets: ["kho"]),
        .library(name: "KhoCore", targets: ["KhoCore"]),
        .library(name: "KhoStore", targets: ["KhoStore"]),
        .library(name: "KhoBundle", targets: ["KhoBundle"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Pure domain: vocabularies, language tags, text folding, validation. No I/O.
        .target(name: "KhoCore", swiftSettings: strict),
        // Linux calls Swift's Glibc module leaves out (syncfs).
        .target(name: "CKhoSystem"),
        // libarchive (Debian: libarchive-dev), for BagIt bundles.
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        // BagIt bundles on libarchive: write, read, verify.
        .target(name: "KhoBundle", dependencies: ["KhoCore", "CArchive", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        // Content-addressed blob store and the SQLite catalog.
        .target(
            name: "KhoStore",
            dependencies: [
                "KhoCore", "CKhoSystem",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The command line.
        .executableTarget(
            name: "kho",
            dependencies: [
                "KhoCore", "KhoStore", "KhoBundle",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(name: "KhoCoreTests", dependencies: ["KhoCore"], swiftSettings: strict),
        .testTarget(
            name: "KhoStoreTests",
            dependencies: ["KhoStore", "KhoCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .testTarget(name: "KhoBundleTests", dependencies: ["KhoBundle", "KhoCore"], swiftSettings: strict),
        .testTarget(
            name: "KhoCLITests",
            dependencies: ["kho", "KhoCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
    ]
)
