// swift-tools-version:6.2
// Kho: a content-addressed archive for the communication products of the
// human-rights communication scheme (Decision 1079/QĐ-TTg).
//
// Linux only: the store and the platform layer call Linux's syncfs, sync_file_range and
// openat2 (through CKhoSystem) and Glibc directly.
//
// Modules, lowest first (nothing imports upward):
//   KhoReference   generated data: unit tables, IANA language subtag registry
//   KhoCore        pure domain: vocabularies, validation, units, periods, targets, reports
//   KhoPlatform    POSIX: paths, descriptors, errno, threads, the ring buffer, the system clock
//   KhoS3          an S3 client (SigV4 on async-http-client); knows nothing of Kho
//   KhoStore       content-addressed blobs and the SQLite catalog, replicas
//   KhoBundle      BagIt bags on libarchive
//   KhoOperations  every user-level operation, for the command line and the server
//   KhoServer      the web app (kho serve) on Hummingbird 2
//   kho            the command line: parsing and rendering
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")

let package = Package(
    name: "Kho",
    products: [
        .executable(name: "kho", targets: ["kho"]),
        .library(name: "KhoOperations", targets: ["KhoOperations"]),
        .library(name: "KhoCore", targets: ["KhoCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // Generated reference data (Scripts/refresh-units, Scripts/refresh-languages).
        .target(name: "KhoReference", swiftSettings: strict),
        // Pure domain: vocabularies, language tags, units, periods, targets, validation, errors. No I/O.
        .target(name: "KhoCore", dependencies: ["KhoReference"], swiftSettings: strict),
        // Linux calls Swift's Glibc module leaves out (syncfs, sync_file_range, openat2).
        .target(name: "CKhoSystem"),
        // libarchive (Debian: libarchive-dev), for BagIt bundles.
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        // POSIX at the edge: paths, descriptors, errno, threads, the ring buffer, the system clock.
        .target(name: "KhoPlatform", dependencies: ["KhoCore", "CKhoSystem"], swiftSettings: strict),
        // An S3 client of our own (SigV4, objects, listings, multipart uploads), on async-http-client.
        // Knows nothing of Kho: the scale-out step builds on it too.
        .target(
            name: "KhoS3",
            dependencies: [crypto, .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: strict),
        // Content-addressed blob store and the SQLite catalog.
        .target(
            name: "KhoStore",
            dependencies: ["KhoCore", "KhoPlatform", "KhoS3", grdb, .product(name: "GRDBSQLite", package: "GRDB.swift"), crypto, logging,
                           .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict),
        // BagIt bundles on libarchive: write, read, verify.
        .target(name: "KhoBundle", dependencies: ["KhoCore", "KhoPlatform", "CArchive", crypto], swiftSettings: strict),
        // Every user-level operation, as a function from an input value to a result document.
        .target(name: "KhoOperations", dependencies: ["KhoCore", "KhoPlatform", "KhoStore", "KhoBundle", crypto,
                                                      .product(name: "HummingbirdBcrypt", package: "hummingbird-auth")],
                swiftSettings: strict),
        // The web app: routes, sessions, pages, on the operations.
        .target(
            name: "KhoServer",
            dependencies: ["KhoCore", "KhoPlatform", "KhoStore", "KhoOperations", "KhoBundle", hummingbird, httpTypes, logging,
                           .product(name: "Mustache", package: "swift-mustache"), .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict),
        // The command line: parsing and rendering.
        .executableTarget(
            name: "kho",
            dependencies: ["KhoCore", "KhoPlatform", "KhoOperations", "KhoServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           logging],
            swiftSettings: strict),

        // Test support: scratch folders, the shared test data, bags built with Python.
        .target(name: "KhoTesting", dependencies: [], path: "Tests/KhoTesting", swiftSettings: strict),
        .testTarget(name: "KhoCoreTests", dependencies: ["KhoCore"], swiftSettings: strict),
        .testTarget(name: "KhoS3Tests", dependencies: ["KhoS3", "KhoTesting", .product(name: "NIOCore", package: "swift-nio")], swiftSettings: strict),
        .testTarget(name: "KhoPlatformTests", dependencies: ["KhoPlatform", "KhoCore", "KhoTesting"], swiftSettings: strict),
        .testTarget(name: "KhoStoreTests", dependencies: ["KhoStore", "KhoCore", "KhoPlatform", "KhoS3", "KhoTesting", grdb], swiftSettings: strict),
        .testTarget(name: "KhoBundleTests", dependencies: ["KhoBundle", "KhoCore", "KhoTesting"], swiftSettings: strict),
        .testTarget(name: "KhoOperationsTests", dependencies: ["KhoOperations", "KhoCore", "KhoPlatform", "KhoStore", "KhoTesting", crypto],
                    swiftSettings: strict),
        .testTarget(name: "KhoServerTests", dependencies: ["KhoServer", "KhoOperations", "KhoStore", "KhoCore", "KhoPlatform", "KhoTesting", hummingbird, httpTypes, logging, crypto,
                                                           .product(name: "HummingbirdTesting", package: "hummingbird")],
                    swiftSettings: strict),
        .testTarget(name: "KhoCLITests", dependencies: ["kho", "KhoTesting", "KhoS3", grdb, crypto, .product(name: "NIOCore", package: "swift-nio")], swiftSettings: strict),
    ]
)
