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
    /// Hears of the bundle's bytes as they are read.
    public var progress: (any ProgressReporter)?

    /// The default limit: a bundle may unpack to 1000 times its size (and always to 1 GiB).
    public static let defaultMaxExpansion: Double = 1000

    public init(file: String, maxExpansion: Double = defaultMaxExpansion, progress: (any ProgressReporter)? = nil) {
        self.file = file
        self.maxExpansion = maxExpansion
        self.progress = progress
    }

    public func run() throws(KhoError) -> BundleVerifyDocument {
        guard maxExpansion >= 1, maxExpansion <= 1_000_000 else {
            throw KhoError(.invalidChoice, "max-expansion \(maxExpansion): expected a number from 1 to 1000000",
                           subject: .field("max-expansion", String(maxExpansion)))
        }
        let result = try BagReader.verify(path: file, limits: BagReadLimits(maxExpansion: maxExpansion), progress: progress)
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
    /// Products whose access the bundle may lower (restricted → internal or public, internal →
    /// public): the operator names each one.
    public var lowerAccess: Set<ProductID>

    /// Products stored per catalog transaction (each group's files, then its rows).
    public var group: Int

    /// Records decoded at a time, on both cores, one batch ahead of the products being stored.
    public var decodeBatch: Int

    public init(file: String, lowerAccess: Set<ProductID> = [], group: Int = 2000, decodeBatch: Int = 1024) {
        self.file = file
        self.lowerAccess = lowerAccess
        self.group = max(1, group)
        self.decodeBatch = max(1, decodeBatch)
    }

    public func run(in session: Session) throws(KhoError) -> BundleImportDocument {
        let archive = session.archive
        let folder = try archive.temporaryFolder("bundle")
        defer { FS.removeTree(folder) }
        let unpacked = try archive.unpackedFilesFlush(folder)
        let verification = try BagReader.verify(path: file, unpackInto: folder.description, unpackAs: BundleReading.unpackAs, progress: session.progress)
        guard verification.isValid else {
            let errors = verification.problems.filter { $0.severity == .error }.map(\.message)
            throw KhoError(.invalidBundle, (errors.map { "\(file): \($0)" } + ["\(file) is not a valid bag (\(errors.count) problem(s)); nothing was stored"])
                .joined(separator: "\n"), subject: .file(file))
        }
        // Every product read first, so a bundle with one unreadable record stores nothing; then
        // stored a group at a time (its files, then one transaction), so memory does not grow
        // with the bundle. A kill between groups leaves whole products; importing the bundle
        // again stores the rest and leaves the others unchanged. The first pass keeps each
        // product as it was decoded and checked in a scratch file, which the second pass reads.
        let checked = try SpillFile(in: folder)
        var count = 0
        func readAll() throws(KhoError) {
            if let failure = try BundleReading.forEachProduct(check: verification.check, payload: verification.payload, recordFiles: verification.recordFiles,
                                                              records: verification.records, registry: archive.registry,
                                                              batchSize: decodeBatch, { (product) throws(KhoError) in
                                                                  try checked.append(BundleProductRecord.encoded(product))
                                                                  count += 1
                                                              }) {
                throw KhoError(.notAKhoBundle, "\(file): \(failure.message); nothing was stored", subject: .file(file))
            }
        }
        // Every unpacked file made durable at once (each group then flushes only its renames),
        // on another thread while this one reads every record: the disk and the processor
        // work at the same time.
        let flush = Background<Swift.Result<Void, KhoError>>()
        flush.start { Swift.Result { () throws(KhoError) in try unpacked.syncFileSystem() } }
        let read = Swift.Result { () throws(KhoError) in try readAll() }
        let flushed = flush.wait()
        try read.get()
        try flushed.get()
        let sender = verification.check.info.first { $0.label == "Kho-Archive-ID" }?.value ?? ""
        let source = "bundle \(verification.name ?? file) of archive \(sender)"
        // What became of each product, 16 bytes an ID (a whole archive's bundle holds a million).
        var document = BundleImportDocument(bundle: verification.name, sender: sender, stored: [], updated: [], unchanged: [], refused: [])
        session.progress?.start(label: "storing", totalBytes: 0, totalItems: count)
        defer { session.progress?.finish() }
        /// The next group of products: at its count or at 32 MB of records (a product's
        /// history may be long). Empty at the end.
        func nextGroup() throws(KhoError) -> [BundleProduct] {
            var products: [BundleProduct] = []
            var bytes = 0
            while products.count < group, bytes < 32 << 20, let record = try checked.next() {
                products.append(try BundleProductRecord.decoded(record))
                bytes += record.count
            }
            return products
        }
        // Each group is staged (decided, its bytes taken into the store, its new products
        // prepared) on another thread while the group before commits on this one.
        let staging = Background<Swift.Result<StagedBundleGroup, KhoError>>()
        var inFlight = false
        func stage(_ products: [BundleProduct], probe: Bool) {
            guard !products.isEmpty else { return }
            inFlight = true
            staging.start { [lowerAccess] in
                Swift.Result { () throws(KhoError) in try archive.stageBundleGroup(products, sender: sender, source: source, lowerAccess: lowerAccess, probe: probe) }
            }
        }
        try checked.rewind()
        stage(try nextGroup(), probe: true)
        while inFlight {
            inFlight = false
            let current = try staging.wait().get()
            do throws(KhoError) {
                stage(try nextGroup(), probe: false)
                for result in try archive.commitBundleGroup(current, progress: session.progress) { document.take(result) }
            } catch {
                if inFlight { _ = staging.wait() }
                throw error
            }
        }
        return document
    }
}

public struct BundleImportDocument: Codable, Sendable {
    public struct Refusal: Codable, Sendable { public var id: String; public var reason: String }
    /// The bag's name (its folder inside the archive).
    public var bundle: String?
    /// The archive that made the bundle.
    public var sender: String
    public var stored: [ProductID]
    public var updated: [ProductID]
    public var unchanged: [ProductID]
    /// Products the bundle may not change here, each with why; nothing of them was stored.
    public var refused: [Refusal]

    mutating func take(_ result: BundleImportResult) {
        switch result.outcome {
        case .stored: stored.append(result.id)
        case .updated: updated.append(result.id)
        case .unchanged: unchanged.append(result.id)
        case .refused: refused.append(Refusal(id: result.id.description, reason: result.reason ?? ""))
        }
    }
}
