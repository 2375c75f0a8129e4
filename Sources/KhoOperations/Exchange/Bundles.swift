// Bundles arriving: checking any serialized bag, and storing the products of one made by
// another Kho (a commune's export arriving at the province).
import KhoBundle
import KhoCore
import KhoPlatform
import KhoStore

/// `kho bundle verify`: a serialized bag (ours or anyone's) checked in one streaming pass,
/// without unpacking it. The result's `valid` is false for an invalid bag (the command line
/// exits 3).
public struct BundleVerify: StandaloneOperation {
    public var file: String
    /// Refuse a bundle that unpacks to more than this many times its own size (and 1 GiB).
    public var maxExpansion: Double

    /// The default limit: a bundle may unpack to 1000 times its size (and always to 1 GiB).
    public static let defaultMaxExpansion: Double = 1000

    public init(file: String, maxExpansion: Double = defaultMaxExpansion) {
        self.file = file
        self.maxExpansion = maxExpansion
    }

    public func run() throws(KhoError) -> BundleVerifyDocument {
        guard maxExpansion >= 1 else {
            throw KhoError(.invalidChoice, "max-expansion \(maxExpansion): expected a number of at least 1",
                           subject: .field("max-expansion", String(maxExpansion)))
        }
        let result = try BagReader.verify(path: file, limits: BagReadLimits(maxExpansion: maxExpansion))
        return BundleVerifyDocument(file: file, valid: result.isValid, bag: result.name, version: result.check.version,
                                    payloadFiles: result.check.payloadFiles, payloadBytes: result.check.payloadBytes,
                                    errors: result.problems.filter { $0.severity == .error }.map(\.message),
                                    warnings: result.problems.filter { $0.severity == .warning }.map(\.message))
    }
}

public struct BundleVerifyDocument: Codable, Sendable {
    public var file: String
    public var valid: Bool
    public var bag: String?
    public var version: String?
    public var payloadFiles: Int
    public var payloadBytes: Int64
    public var errors: [String]
    public var warnings: [String]
}

/// `kho bundle import`: verifies the bundle while unpacking it into the archive's temporary
/// area (one read of the bundle), then stores its products with their IDs, metadata, files
/// and history. A bad bundle, or a bag Kho did not make, stores nothing.
public struct BundleImport: ArchiveOperation {
    public var file: String

    public init(file: String) { self.file = file }

    public func run(in session: Session) throws(KhoError) -> BundleImportDocument {
        let archive = session.archive
        let folder = try archive.temporaryFolder("bundle")
        defer { FS.removeTree(folder) }
        let verification = try BagReader.verify(path: file, unpackInto: folder.description)
        guard verification.isValid else {
            let errors = verification.problems.filter { $0.severity == .error }.map(\.message)
            throw KhoError(.invalidBundle, (errors.map { "\(file): \($0)" } + ["\(file) is not a valid bag (\(errors.count) problem(s)); nothing was stored"])
                .joined(separator: "\n"), subject: .file(file))
        }
        let products: [BundleProduct]
        switch BundleReading.products(check: verification.check, unpacked: verification.unpacked,
                                      digests: verification.payloadSHA256, registry: archive.registry) {
        case .success(let found): products = found
        case .failure(let failure): throw KhoError(.notAKhoBundle, "\(file): \(failure.message); nothing was stored", subject: .file(file))
        }
        let sender = verification.check.info.first { $0.label == "Kho-Archive-ID" }.map { " of archive \($0.value)" } ?? ""
        let outcomes = try archive.importBundle(products, source: "bundle \(verification.name ?? file)" + sender)
        func ids(_ outcome: BundleImportOutcome) -> [String] { outcomes.filter { $0.1 == outcome }.map { $0.0.description } }
        return BundleImportDocument(bundle: verification.name, stored: ids(.stored), updated: ids(.updated), unchanged: ids(.unchanged))
    }
}

public struct BundleImportDocument: Codable, Sendable {
    /// The bag's name (its folder inside the archive).
    public var bundle: String?
    public var stored: [String]
    public var updated: [String]
    public var unchanged: [String]
}
