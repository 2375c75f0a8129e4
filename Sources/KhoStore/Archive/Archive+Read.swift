// Reading: one product, lists, search, events, and streaming a file out.
import GRDB
import KhoCore
import KhoPlatform

extension Archive {
    public func product(_ id: ProductID) throws(KhoError) -> Product {
        guard let product = try catalog.read({ db in try CatalogReads.product(db, id: id) }) else {
            throw KhoError(.unknownProduct, "no product \(id) in this archive (check the ID with kho list or kho search)")
        }
        return product
    }

    /// Several products with their events, read in one transaction (exports read thousands).
    public func productsWithEvents(_ ids: [ProductID]) throws(KhoError) -> [(product: Product, events: [PreservationEvent])] {
        // Three queries for the whole batch (products, their files, their events), in one read.
        try catalog.read { db in
            let products = try CatalogReads.products(db, ids: ids)
            let events = try CatalogReads.events(db, productIDs: ids)
            return try ids.map { id in
                guard let product = products[id] else {
                    throw KhoError(.unknownProduct, "no product \(id) in this archive (removed while it was being read?)")
                }
                return (product, events[id] ?? [])
            }
        }
    }

    public func events(of id: ProductID) throws(KhoError) -> [PreservationEvent] {
        try catalog.read { db in try CatalogReads.events(db, productID: id) }
    }

    /// When each of the product's blobs was last checked, and how it went.
    public func fixity(of product: Product) throws(KhoError) -> [String: (at: Timestamp, outcome: String)] {
        try catalog.read { db in
            var out: [String: (at: Timestamp, outcome: String)] = [:]
            for file in product.files {
                if let row = try Row.fetchOne(db, sql: "SELECT last_checked_at, last_check_outcome FROM blobs WHERE sha256 = ?", arguments: [file.sha256]),
                   let at: String = row[0], let outcome: String = row[1] {
                    out[file.sha256] = (Timestamp(iso: at), outcome)
                }
            }
            return out
        }
    }

    public func list(_ filter: ProductFilter) throws(KhoError) -> (products: [Product], total: Int) {
        try catalog.read { db in try CatalogReads.list(db, filter: filter) }
    }

    public func search(_ text: String, limit: Int? = nil) throws(KhoError) -> [Product] {
        guard let query = SearchQuery.fts(text) else {
            throw KhoError(.emptyQuery, "the search '\(text)' has no words to look for")
        }
        return try catalog.read { db in try CatalogReads.search(db, ftsQuery: query, limit: limit) }
    }

    public func holders(of sha256: String) throws(KhoError) -> [BlobHolder] {
        try catalog.read { db in try CatalogReads.holders(db, sha256: sha256) }
    }

    /// Streams file `n` of a product to `sink`, checking its SHA-256 on the way.
    /// A mismatch is reported after the bytes were sent: the caller must treat the output as bad.
    public func streamFile(_ id: ProductID, n: Int?, sink: (UnsafeRawBufferPointer) throws(KhoError) -> Void) throws(KhoError) -> StoredFile {
        let product = try product(id)
        guard !product.files.isEmpty else {
            throw KhoError(.noFiles, "product \(id) has no files yet (registered on \(product.digitization.carrier?.rawValue ?? "a physical carrier"), not digitized); attach one with kho attach \(id) FILE")
        }
        let file: StoredFile
        if let n {
            guard let found = product.files.first(where: { $0.n == n }) else {
                throw KhoError(.unknownFile, "product \(id) has no file \(n); it has files \(product.files.map { String($0.n) }.joined(separator: ", "))")
            }
            file = found
        } else {
            file = product.files.first { $0.role == .master } ?? product.files[0]
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobStore.chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        let read: (sha256: String, size: Int64)
        do {
            read = try blobs.read(file.sha256, buffer: buffer, sink: sink)
        } catch where error.code == .missingFile {
            throw KhoError(.blobMissing, "the stored bytes of file \(file.n) of \(id) (sha256:\(file.sha256)) are missing from the archive; run kho verify")
        }
        guard read.sha256 == file.sha256, read.size == file.size else {
            throw KhoError(.blobDamaged, "file \(file.n) of \(id) is damaged in the store (sha256 is \(read.sha256), expected \(file.sha256)); the output is not the original — run kho verify")
        }
        return file
    }
}
