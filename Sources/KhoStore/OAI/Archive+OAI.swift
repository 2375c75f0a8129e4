// The catalog's side of OAI-PMH: products in the order of their last change (updated_at, then
// row key), read a keyset page at a time so the last page of a million costs what the first
// does; which products a harvester is told of (ever shown to its kind of harvester), and
// which of those it may read (else they are deleted to it).
import GRDB
import KhoCore
import KhoPlatform

/// Who harvests: anyone (public products), or an exporter's token (also the internal products
/// of the exporter's scope).
public enum OAIViewer: Sendable, Equatable {
    case anyone
    case exporter(ScopeSelection)
}

/// What selects a list: a set, inclusive bounds in seconds since 1970.
public struct OAIFilter: Sendable, Equatable {
    public var set: OAISetSpec?
    public var from: Int64?
    public var until: Int64?
    public init(set: OAISetSpec?, from: Int64?, until: Int64?) {
        self.set = set
        self.from = from
        self.until = until
    }
}

/// One product as a list shows it: enough for its header, and whether it is deleted to the viewer.
public struct OAIEntry: Sendable {
    public var pk: Int64
    public var id: String
    /// updated_at as stored (the keyset cursor) and in whole seconds (the datestamp).
    public var changedAt: String
    public var datestamp: Int64
    public var deleted: Bool
    public var sets: [String]
    /// The product itself, read in the same transaction as the entry (records, not deleted).
    public var product: Product?
}

extension Archive {
    /// The whole second of an updated_at value ("2026-12-02T05:00:00.123Z" → its epoch second).
    static func oaiSecond(_ iso: String) -> Int64 { Int64((Timestamp(iso: iso).epochSeconds ?? 0).rounded(.down)) }

    /// The key resumption tokens are signed with: made once (the `fresh` 32 random bytes the
    /// front end gives, the first time) and kept in the catalog, so tokens stay good across
    /// restarts and cannot be forged without the archive.
    public func oaiTokenKey(fresh: [UInt8]) throws(KhoError) -> [UInt8] {
        if let hex = try catalog.read({ db in try String.fetchOne(db, sql: "SELECT value FROM archive_settings WHERE key = 'oai_token_key'") }),
           let key = Hex.bytes(hex), key.count == 32 {
            return key
        }
        guard fresh.count == 32 else { throw KhoError(.internal, "a token key must be 32 bytes") }
        return try catalog.write { db in
            // Another process may have made one first: the first one kept is everyone's.
            try db.execute(sql: "INSERT OR IGNORE INTO archive_settings (key, value) VALUES ('oai_token_key', ?)", arguments: [Hex.lower(fresh)])
            let hex = try String.fetchOne(db, sql: "SELECT value FROM archive_settings WHERE key = 'oai_token_key'") ?? ""
            return Hex.bytes(hex) ?? fresh
        }
    }

    /// Whether this catalog can be harvested (v15; a read-only catalog of an older Kho cannot).
    public var isHarvestable: Bool { catalog.hasWithdrawals }

    /// The earliest datestamp of a product the viewer is told of (nil: none).
    public func oaiEarliest(viewer: OAIViewer) throws(KhoError) -> Int64? {
        let (conditions, arguments) = Self.oaiConditions(OAIFilter(set: nil, from: nil, until: nil), viewer: viewer)
        return try catalog.read { db in
            try String.fetchOne(db, sql: "SELECT p.updated_at FROM products p INDEXED BY products_changed WHERE \(conditions.joined(separator: " AND ")) ORDER BY p.updated_at LIMIT 1",
                                arguments: StatementArguments(arguments)).map(Self.oaiSecond)
        }
    }

    /// A page of at most `limit` entries after `after` (updated_at, pk), and whether more follow;
    /// with `products`, each readable entry's product, read in the same transaction.
    public func oaiPage(_ filter: OAIFilter, viewer: OAIViewer, after: (String, Int64)?, limit: Int, products: Bool) throws(KhoError) -> (entries: [OAIEntry], more: Bool) {
        var (conditions, arguments) = Self.oaiConditions(filter, viewer: viewer)
        if let after {
            conditions.append("(p.updated_at, p.pk) > (?, ?)")
            arguments += [after.0, after.1]
        }
        let (scopeSQL, scopeArguments) = Self.oaiScope(viewer)
        // In the order of change, read along that index (a page of a small set reads on until
        // it has its records; the next page goes on from there, so a whole harvest reads it once).
        let sql = """
            SELECT p.pk, p.id, p.updated_at, p.access, p.withdrawn, \(scopeSQL), p.province_now, p.unit, p.unit_era, p.kind, p.languages
            FROM products p INDEXED BY products_changed
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY p.updated_at, p.pk LIMIT ?
            """
        return try catalog.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(scopeArguments + arguments + [limit + 1]))
            let entries = try rows.prefix(limit).map { row in try Self.oaiEntry(db, row, product: products) }
            return (entries, rows.count > limit)
        }
    }

    /// An entry of a page's row; its product read when asked for and readable.
    static func oaiEntry(_ db: Database, _ row: Row, product: Bool) throws -> OAIEntry {
        let access: String = row[3]
        let withdrawn: Bool = row[4]
        let readable = !withdrawn && (access == AccessLevel.public.rawValue || access == AccessLevel.internal.rawValue && (row[5] as Bool))
        let changed: String = row[2]
        var entry = OAIEntry(pk: row[0], id: row[1], changedAt: changed, datestamp: Self.oaiSecond(changed), deleted: !readable,
                             sets: Self.oaiSets(row, from: 6))
        if product, readable, case .success(let id) = ProductID.parse(entry.id) { entry.product = try CatalogReads.product(db, id: id) }
        return entry
    }

    /// How many products a list holds (given with the first page, kept in its tokens).
    public func oaiCount(_ filter: OAIFilter, viewer: OAIViewer) throws(KhoError) -> Int {
        let (conditions, arguments) = Self.oaiConditions(filter, viewer: viewer)
        return try catalog.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM products p WHERE \(conditions.joined(separator: " AND "))",
                             arguments: StatementArguments(arguments)) ?? 0
        }
    }

    /// One product's entry for GetRecord and ListMetadataFormats (nil: the viewer is not told of it).
    public func oaiEntry(id: String, viewer: OAIViewer, product: Bool) throws(KhoError) -> OAIEntry? {
        let filter = OAIFilter(set: nil, from: nil, until: nil)
        var (conditions, arguments) = Self.oaiConditions(filter, viewer: viewer)
        conditions.append("p.id = ?")
        arguments.append(id)
        let (scopeSQL, scopeArguments) = Self.oaiScope(viewer)
        let sql = """
            SELECT p.pk, p.id, p.updated_at, p.access, p.withdrawn, \(scopeSQL), p.province_now, p.unit, p.unit_era, p.kind, p.languages
            FROM products p WHERE \(conditions.joined(separator: " AND "))
            """
        return try catalog.read { db in
            guard let row = try Row.fetchOne(db, sql: sql, arguments: StatementArguments(scopeArguments + arguments)) else { return nil }
            return try Self.oaiEntry(db, row, product: product)
        }
    }

    /// Whether a row is in the exporter's scope (always false for anyone).
    static func oaiScope(_ viewer: OAIViewer) -> (String, [any DatabaseValueConvertible]) {
        switch viewer {
        case .anyone: return ("0", [])
        case .exporter(let selection):
            if selection == .country { return ("1", []) }
            let scope = ReportSQL.scope(selection)
            return ("(\(scope.sql))", scope.arguments)
        }
    }

    /// Products the viewer is told of (ever readable to its kind of harvester), in the set and
    /// bounds. A product no longer readable is in every set: its deleted record is sent to any
    /// selective harvest, so whether it answers a set never tells its unit, kind or languages.
    static func oaiConditions(_ filter: OAIFilter, viewer: OAIViewer) -> ([String], [any DatabaseValueConvertible]) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        let (scopeSQL, scopeArguments) = oaiScope(viewer)
        switch viewer {
        case .anyone: conditions.append("(p.shown & 1) <> 0")
        case .exporter:
            conditions.append("((p.shown & 1) <> 0 OR ((p.shown & 2) <> 0 AND \(scopeSQL)))")
            arguments += scopeArguments
        }
        // Whole seconds: from its first instant, until before the next second.
        if let from = filter.from, from > OAIDate.earliest {
            conditions.append("p.updated_at >= ?"); arguments.append(String(OAIDate.format(from).dropLast()))
        }
        if let until = filter.until, until < OAIDate.latest {
            conditions.append("p.updated_at < ?"); arguments.append(String(OAIDate.format(until + 1).dropLast()))
        }
        var set: (String, [any DatabaseValueConvertible])?
        switch filter.set {
        case nil, .units, .kinds, .languages: break
        case .province(let p): set = ("p.province_now = ?", [p])
        case .commune(let p, let c): set = ("p.province_now = ? AND p.unit = ? AND p.unit_era = 1", [p, c])
        case .kind(let k): set = ("p.kind = ?", [k.rawValue])
        case .language(let tag): set = ("instr(p.languages, ?) > 0", ["\"\(tag)\""])
        }
        if let (sql, values) = set {
            conditions.append("((\(sql)) OR NOT (p.withdrawn = 0 AND (p.access = 'public' OR p.access = 'internal' AND \(scopeSQL))))")
            arguments += values + scopeArguments
        }
        return (conditions, arguments)
    }

    static func oaiSets(_ row: Row, from i: Int) -> [String] {
        let languages = JSONList.decode(row[i + 4] as String) ?? []
        return OAISets.membership(provinceNow: row[i], unit: row[i + 1], unitIsToday: (row[i + 2] as Int) == 1,
                                  kind: ProductKind(rawValue: row[i + 3]) ?? .article, languages: languages)
    }
}
