// Reading products: one in full, lists, full-text search.
import KhoCore
import KhoStore

/// `kho show`: everything about one product, with its events and, per file, its last fixity check.
public struct Show: ArchiveOperation {
    public var id: ProductID
    /// Add each file's last fixity check.
    public var withFixity: Bool

    public init(id: ProductID, withFixity: Bool = false) {
        self.id = id
        self.withFixity = withFixity
    }

    public func run(in session: Session) throws(KhoError) -> ProductDocument {
        let archive = session.archive
        let product = try archive.product(id)
        var document = ProductDocument(product, events: try archive.events(of: id), registry: archive.registry)
        if withFixity {
            let checks = try archive.fixity(of: product)
            for i in document.files.indices {
                if let check = checks[document.files[i].sha256] {
                    document.files[i].lastCheck = FixityDocument(at: check.at.iso, outcome: check.outcome)
                }
            }
        }
        return document
    }
}

/// Products in order: oldest first by reference date, then title in Vietnamese order.
public struct ProductList: Codable, Sendable {
    public var products: [ProductDocument]
    /// How many products match, of which `products` holds the first `limit`.
    public var total: Int
}

/// `kho list`: products matching a filter; `from` and `to` are inclusive.
public struct ListProducts: ArchiveOperation {
    public var filter: ProductFilter

    public init(filter: ProductFilter) { self.filter = filter }

    /// What can be checked before the archive is opened.
    public func check() throws(KhoError) {
        if let from = filter.from, let to = filter.to, to < from {
            throw KhoError(.invalidRange, "the range starts on \(from), after it ends on \(to)", subject: .field("from", from.description))
        }
    }

    public func run(in session: Session) throws(KhoError) -> ProductList {
        try check()
        let (products, total) = try session.archive.list(filter)
        return ProductList(products: products.map { ProductDocument($0, registry: session.archive.registry) }, total: total)
    }
}

/// `kho search`: every word must match, without regard to case, diacritics or tone placement.
public struct Search: ArchiveOperation {
    public var query: String
    /// nil: every match.
    public var limit: Int?

    public init(query: String, limit: Int? = nil) {
        self.query = query
        self.limit = limit
    }

    public func run(in session: Session) throws(KhoError) -> ProductList {
        let products = try session.archive.search(query, limit: limit)
        return ProductList(products: products.map { ProductDocument($0, registry: session.archive.registry) }, total: products.count)
    }
}
