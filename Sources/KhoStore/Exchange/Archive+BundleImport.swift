// Products arriving in another Kho's bundle (a commune's export at the province): stored with
// their own IDs, metadata, files and event history, plus an event saying where they came from.
// The same bundle twice changes nothing; a newer export of a product updates it.
import GRDB
import KhoCore
import KhoPlatform

public struct BundleFile: Sendable {
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

public struct BundleProduct: Sendable {
    public var id: ProductID
    public var metadata: ProductMetadata
    public var digitization: Digitization
    public var files: [BundleFile]
    public var events: [PreservationEvent]

    public init(id: ProductID, metadata: ProductMetadata, digitization: Digitization, files: [BundleFile], events: [PreservationEvent]) {
        self.id = id
        self.metadata = metadata
        self.digitization = digitization
        self.files = files
        self.events = events
    }
}

public enum BundleImportOutcome: String, Sendable, Encodable {
    case stored, updated, unchanged
}

extension Archive {
    /// A folder in this process's temporary area, on the archive's disk, for unpacking.
    public func temporaryFolder(_ name: String) throws(KhoError) -> HostPath { try blobs.temporaryFolder(name) }

    /// Stores the products of a verified bundle: blobs first (all or none), then one catalog
    /// transaction. `source` names the bundle and the archive it came from, for the events.
    public func importBundle(_ products: [BundleProduct], source: String) throws(KhoError) -> [(ProductID, BundleImportOutcome)] {
        // The unpacked files were hashed on the way (and checked against the bundle): they go
        // into the store by a rename, one copy of the bytes in all.
        var seen: Set<String> = []
        let files = products.flatMap(\.files).filter { seen.insert($0.sha256).inserted }
        let total = files.reduce(Int64(0)) { $0 + $1.size }
        if let free = FS.availableBytes(root), (16 << 20) > free {
            throw KhoError(.diskFull, "not enough space left in the archive at \(root) (\(Formatting.bytes(free)) free) to record \(Formatting.bytes(total)); nothing was stored")
        }
        try catalog.probeWriteLock()
        let damaged = try catalog.read { db in try CatalogReads.damagedBlobs(db) }
        let adopted = try blobs.adopt(files.map { ($0.path, $0.sha256, $0.size, $0.mediaType) }, damaged: damaged)
        var blobFor: [String: StoredBlob] = [:]
        for blob in adopted { blobFor[blob.sha256] = blob }
        let now = clock.now()
        return try catalog.write { db in
            var outcomes: [(ProductID, BundleImportOutcome)] = []
            for product in products {
                let existing = try CatalogReads.product(db, id: product.id)
                func staged(_ f: BundleFile) -> StagedFile {
                    StagedFile(source: f.path, name: f.name, blob: blobFor[f.sha256]!, mediaType: f.mediaType)
                }
                guard let existing, let pk = try CatalogReads.productPK(db, id: product.id) else {
                    var prepared = PreparedProduct(id: product.id, metadata: product.metadata, digitization: product.digitization,
                                                   detail: "from \(source)", config: config)
                    prepared.eventType = .bundleImport
                    let pk = try CatalogWrites.insert(db, &prepared, at: now, newID: ids.productID)
                    for event in product.events { try CatalogWrites.append(db, event) }
                    try CatalogWrites.append(db, event(.bundleImport, object: "product:\(product.id)", product: product.id,
                                                       detail: "from \(source), \(product.files.count) file(s)", at: now))
                    for file in product.files.sorted(by: { $0.n < $1.n }) {
                        try addFiles(db, pk: pk, id: product.id, [staged(file)], startingAt: file.n, role: file.role, eventType: .bundleImport, at: now)
                    }
                    outcomes.append((product.id, .stored))
                    continue
                }
                let held = Set(existing.files.map(\.sha256))
                let newFiles = product.files.filter { !held.contains($0.sha256) }
                let changes = MetadataDiff.changes(from: existing.metadata, to: product.metadata)
                if changes.isEmpty && newFiles.isEmpty {
                    outcomes.append((product.id, .unchanged))
                    continue
                }
                if !changes.isEmpty {
                    try CatalogWrites.updateMetadata(db, pk: pk, metadata: product.metadata, replacing: existing.metadata, config: config, at: now)
                    try CatalogWrites.append(db, event(.metadataModification, object: "product:\(product.id)", product: product.id,
                                                       detail: "from \(source): " + changes.joined(separator: "; "), at: now))
                }
                var next = (existing.files.map(\.n).max() ?? 0) + 1
                for file in newFiles {
                    try addFiles(db, pk: pk, id: product.id, [staged(file)], startingAt: next, role: file.role, eventType: .bundleImport, at: now)
                    next += 1
                }
                outcomes.append((product.id, .updated))
            }
            return outcomes
        }
    }
}
