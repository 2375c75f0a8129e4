// Products arriving in another Kho's bundle (a commune's export at the province): stored with
// their own IDs, metadata, files and event history, plus an event saying where they came from.
// The same bundle twice changes nothing; a newer export of a product updates it.
import Glibc
import GRDB
import KhoCore
import KhoPlatform

public struct BundleFile: Sendable, Equatable {
    public var n: Int
    public var name: FileName
    public var role: FileRole
    public var mediaType: String
    public var sha256: String
    public var size: Int64
    /// Where the bytes wait, unpacked from the bundle.
    public var path: HostPath

    public init(n: Int, name: FileName, role: FileRole, mediaType: String, sha256: String, size: Int64, path: HostPath) {
        self.n = n
        self.name = name
        self.role = role
        self.mediaType = mediaType
        self.sha256 = sha256
        self.size = size
        self.path = path
    }
}

public struct BundleProduct: Sendable, Equatable {
    public var id: ProductID
    public var metadata: ProductMetadata
    public var digitization: Digitization
    public var files: [BundleFile]
    public var events: [PreservationEvent]
    /// The archive that created the product, as its bundle says (the sender's own, or the one
    /// it had it from).
    public var homeArchive: String

    public init(id: ProductID, metadata: ProductMetadata, digitization: Digitization, files: [BundleFile], events: [PreservationEvent],
                homeArchive: String) {
        self.homeArchive = homeArchive
        self.id = id
        self.metadata = metadata
        self.digitization = digitization
        self.files = files
        self.events = events
    }
}

public enum BundleImportOutcome: String, Sendable, Encodable {
    case stored, updated, unchanged
    /// Not stored: the bundle may not change this product (see `reason`).
    case refused
}

/// What became of one product of a bundle.
public struct BundleImportResult: Sendable {
    public var id: ProductID
    public var outcome: BundleImportOutcome
    /// Why it was refused.
    public var reason: String?
}

extension Archive {
    /// A folder in this process's temporary area, on the archive's disk, for unpacking.
    public func temporaryFolder(_ name: String) throws(KhoError) -> HostPath { try blobs.temporaryFolder(name) }

    /// The flush that makes every file unpacked into `folder` (a temporary folder of this
    /// archive) durable, in one flush of its file system (`syncFileSystem()`), after which the
    /// groups of `stageBundleGroup` only make their renames durable. Open it before unpacking:
    /// syncfs reports the write-back errors recorded since its descriptor was opened, and older
    /// ones only if no one has seen them yet (another process's syncfs may have).
    public func unpackedFilesFlush(_ folder: HostPath) throws(KhoError) -> FileDescriptor {
        try FileDescriptor.open(folder, flags: O_RDONLY | O_DIRECTORY, doing: "flushing the unpacked bundle")
    }

    /// Stores a group of the products of a verified bundle made by archive `sender`, in two
    /// halves (a bundle's next group is staged while the group before commits). A product new
    /// here is created, whatever its home; one already here is changed only when the bundle
    /// comes from its home archive (or a source the configuration trusts for its unit), and
    /// never to a lower access level unless `lowerAccess` names it; otherwise it is refused and
    /// nothing of it is stored. Blobs first (all or none), then one catalog transaction. The
    /// files' bytes must be durable already (`unpackedFilesFlush`). `source` names the bundle
    /// for the events.
    ///
    /// This first half: what each product may do, decided on what is held now; the bytes of
    /// those to store taken into the store; the new products' rows prepared (on every core).
    /// `probe`: first make sure no other process holds the catalog's write lock (not while
    /// this process commits a group: the probe would wait for that).
    public func stageBundleGroup(_ products: [BundleProduct], sender: String, source: String, lowerAccess: Set<ProductID> = [],
                                 probe: Bool = true) throws(KhoError) -> StagedBundleGroup {
        // Decided on what is held now, so a refused product's bytes are not even stored.
        let plans = try catalog.read { db in try products.map { try decide($0, db: db, sender: sender, lowerAccess: lowerAccess) } }
        let damaged = try catalog.read { db in try CatalogReads.damagedBlobs(db) }
        // The bytes of products to store, and good copies of stored bytes found missing or damaged.
        func repairs(_ f: BundleFile) -> Bool { damaged.contains(f.sha256) || !blobs.contains(f.sha256, size: f.size) }
        var seen: Set<String> = []
        let files = zip(products, plans).flatMap { product, plan in plan.storesFiles ? product.files : plan.outcome == .refused ? [] : product.files.filter(repairs) }
            .filter { seen.insert($0.sha256).inserted }
        let total = files.reduce(Int64(0)) { $0 + $1.size }
        let room = FS.room(root)
        if let free = room?.bytes, (16 << 20) > free {
            throw KhoError(.diskFull, "not enough space left in the archive at \(root) (\(Formatting.bytes(free)) free) to record \(Formatting.bytes(total)); nothing was stored")
        }
        // The unpacked files are renamed into the store (their inodes exist); each product's
        // sidecar is a new file.
        try Self.checkFileRoom(room?.files, blobs: 0, sidecars: products.count, what: "the bundle's next \(products.count) product(s)")
        if probe { try catalog.probeWriteLock() }
        // The unpacked files were hashed on the way (and checked against the bundle): they go
        // into the store by a rename, one copy of the bytes in all.
        let adopted = try blobs.adopt(files.map { ($0.path, $0.sha256, $0.size, $0.mediaType) }, damaged: damaged)
        var blobFor: [String: StoredBlob] = [:]
        for blob in adopted { blobFor[blob.sha256] = blob }
        // What a new product's rows hold (sort and search keys of its text), made outside the
        // transaction, on every core.
        let creating = plans.map { $0.outcome == .stored }
        let archiveID = info.archiveID, config = self.config
        let prepared = try Parallel.map(count: products.count, jobs: Parallel.defaultJobs) { i, _ in
            creating[i] ? Self.prepareForCreate(products[i], source: source, archiveID: archiveID, config: config) : nil
        }
        return StagedBundleGroup(products: products, files: files, blobFor: blobFor, prepared: prepared, sender: sender, source: source,
                                 lowerAccess: lowerAccess)
    }

    /// The second half: one catalog transaction for the group, each product decided again
    /// inside it. `progress` hears of each product written (the caller starts and finishes it).
    public func commitBundleGroup(_ group: StagedBundleGroup, progress: (any ProgressReporter)? = nil) throws(KhoError) -> [BundleImportResult] {
        let (products, files, blobFor, sender, source, lowerAccess) = (group.products, group.files, group.blobFor, group.sender, group.source, group.lowerAccess)
        // A group's transaction is small: the writer's small page cache holds it, so a bundle of
        // many groups does not fill memory with pages.
        return try catalog.withSmallWriterCache { () throws(KhoError) in try catalog.write { db in
            // The time of the change is taken once the write lock is held: a harvester that
            // asked just before sees the change with a datestamp after its own request.
            let now = clock.now()
            // Said (a repair event for each holder) before new products add holders of their own.
            _ = try restorations(db, files.map { StagedFile(source: HostPath("\(source)"), name: $0.name, blob: blobFor[$0.sha256]!, mediaType: $0.mediaType) }, at: now)
            return try products.indices.map { i in
                let product = products[i]
                defer { progress?.itemDone() }
                // Decided again inside the transaction: another process may have written meanwhile.
                let plan = try decide(product, db: db, sender: sender, lowerAccess: lowerAccess)
                if plan.outcome == .refused || plan.outcome == .unchanged {
                    return BundleImportResult(id: product.id, outcome: plan.outcome, reason: plan.reason)
                }
                if plan.storesFiles, product.files.contains(where: { blobFor[$0.sha256] == nil }) {
                    return BundleImportResult(id: product.id, outcome: .refused, reason: "\(product.id) changed here while the bundle was read; import it again")
                }
                func staged(_ f: BundleFile) -> StagedFile { StagedFile(source: f.path, name: f.name, blob: blobFor[f.sha256]!, mediaType: f.mediaType) }
                if plan.outcome == .stored {
                    try create(db, product, prepared: group.prepared[i], sender: sender, source: source, staged: staged, at: now)
                } else {
                    try update(db, product, plan: plan, sender: sender, source: source, staged: staged, at: now)
                }
                return BundleImportResult(id: product.id, outcome: plan.outcome, reason: nil)
            }
        } }
    }
}

/// A group of a bundle's products ready to commit (`Archive.stageBundleGroup`): their bytes
/// in the store, the new ones prepared for the catalog.
public struct StagedBundleGroup: Sendable {
    var products: [BundleProduct]
    /// The files taken into the store (each digest once).
    var files: [BundleFile]
    var blobFor: [String: StoredBlob]
    /// Each product's rows, made ready where it was to be created (nil otherwise).
    var prepared: [PreparedProduct?]
    var sender: String
    var source: String
    var lowerAccess: Set<ProductID>
}
