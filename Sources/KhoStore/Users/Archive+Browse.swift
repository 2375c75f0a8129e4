// Products as one user may see them: the scope of their unit (the same SQL as reports, so a
// product counted in a user's figures is one they can find), restricted ones only with the
// right, filters, and keyset pages, newest reference date first.
import GRDB
import KhoCore
import KhoPlatform

public struct BrowsePage: Sendable {
    public var products: [Product]
    /// Where the next page starts; nil on the last page.
    public var next: BrowseCursor?
}

/// What a list shows of a product: read without its files and lists, for pages of many.
public struct ProductSummary: Sendable {
    public var id: ProductID
    public var title: String
    public var kind: ProductKind
    public var referenceDate: CalendarDate?
    public var unit: String
    public var digitized: Bool
    public var restricted: Bool
}

extension Archive {
    public func browse(_ query: BrowseQuery, as visibility: Visibility) throws(KhoError) -> BrowsePage {
        let (sql, arguments, limit) = try browseSQL(query, as: visibility, columns: CatalogReads.productColumns)
        return try catalog.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
            let shown = Array(rows.prefix(limit))
            let next = rows.count > limit ? shown.last.map { BrowseCursor(referenceDate: $0["sort_date"], pk: $0["pk"]) } : nil
            return BrowsePage(products: try CatalogReads.products(db, rows: shown), next: next)
        }
    }

    /// The same page as `browse`, with only what a list shows of each product.
    public func browseSummaries(_ query: BrowseQuery, as visibility: Visibility) throws(KhoError) -> (summaries: [ProductSummary], next: BrowseCursor?) {
        let (sql, arguments, limit) = try browseSQL(query, as: visibility, columns: "p.pk, p.id, p.title, p.kind, p.reference_date, p.unit, p.digitized, p.access")
        return try catalog.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
            let shown = Array(rows.prefix(limit))
            let next = rows.count > limit ? shown.last.map { BrowseCursor(referenceDate: $0["sort_date"], pk: $0["pk"]) } : nil
            let summaries = shown.compactMap { row -> ProductSummary? in
                guard case .success(let id) = ProductID.parse(row[1]), let kind = ProductKind(rawValue: row[3]) else { return nil }
                let date: String? = row[4]
                return ProductSummary(id: id, title: row[2], kind: kind, referenceDate: date.flatMap { try? CalendarDate.parse($0).get() },
                                      unit: row[5], digitized: row[6], restricted: (row[7] as String) == AccessLevel.restricted.rawValue)
            }
            return (summaries, next)
        }
    }

    /// A page's query: the user's scope, the filters, the keyset cursor, newest first.
    private func browseSQL(_ query: BrowseQuery, as visibility: Visibility, columns: String) throws(KhoError) -> (String, StatementArguments, Int) {
        var (conditions, arguments) = Self.visibilitySQL(visibility)
        // A withdrawn product leaves the lists (its page stays, for its history).
        if catalog.hasWithdrawals { conditions.append("p.withdrawn = 0") }
        if let kind = query.kind { conditions.append("p.kind = ?"); arguments.append(kind.rawValue) }
        if let digitized = query.digitized { conditions.append("p.digitized = ?"); arguments.append(digitized ? 1 : 0) }
        if let access = query.access { conditions.append("p.access = ?"); arguments.append(access.rawValue) }
        if let from = query.from { conditions.append("p.reference_date >= ?"); arguments.append(from.description) }
        if let to = query.to { conditions.append("p.reference_date <= ?"); arguments.append(to.description) }
        if let unit = query.unit {
            // The unit's subtree as a report of it would count it (the same SQL), inside the user's scope.
            let whole = Period(kind: .range, from: CalendarDate(year: 1900, month: 1, day: 1)!, to: CalendarDate(year: 2200, month: 12, day: 31)!, label: "all")
            let plan = try Self.plan(ReportRequest(unitCode: unit, unitEra: nil, period: whole, trendCount: 1, gapLimit: 0), table: .standard)
            if plan.selection != .country {
                let scope = ReportSQL.scope(plan.selection)
                conditions.append("(\(scope.sql))")
                arguments += scope.arguments
            }
        }
        if let language = query.language {
            // The tag itself or a tag under it (vi and vi-VN).
            conditions.append("EXISTS (SELECT 1 FROM json_each(p.languages) l WHERE l.value = ? OR l.value LIKE ?)")
            arguments += [language, language + "-%"]
        }
        if let channel = query.channel {
            conditions.append("EXISTS (SELECT 1 FROM json_each(p.channels) c WHERE c.value = ?)")
            arguments.append(channel.rawValue)
        }
        if let text = query.text, let fts = SearchQuery.fts(text) {
            conditions.append("p.pk IN (SELECT rowid FROM products_search WHERE products_search MATCH ?)")
            arguments.append(fts)
        }
        // Newest reference date first, undated last (NULL is the lowest in SQLite's order), so
        // an index on reference_date serves the order and a page reads only its own rows.
        if let after = query.after {
            if after.referenceDate.isEmpty {
                conditions.append("(p.reference_date IS NULL AND p.pk < ?)")
                arguments.append(after.pk)
            } else {
                conditions.append("((p.reference_date, p.pk) < (?, ?) OR p.reference_date IS NULL)")
                arguments += [after.referenceDate, after.pk]
            }
        }
        let limit = max(1, min(query.limit, BrowseQuery.maxLimit))
        let sql = """
            SELECT \(columns), coalesce(p.reference_date, '') AS sort_date FROM products p
            WHERE \(conditions.isEmpty ? "1" : conditions.joined(separator: " AND "))
            ORDER BY p.reference_date DESC, p.pk DESC LIMIT \(limit + 1)
            """
        return (sql, StatementArguments(arguments), limit)
    }

    /// The product if `visibility` lets its holder see it; nil when it does not exist or is
    /// not theirs to see (the two are not told apart).
    public func product(_ id: ProductID, as visibility: Visibility) throws(KhoError) -> Product? {
        var (conditions, arguments) = Self.visibilitySQL(visibility)
        conditions.append("p.id = ?")
        arguments.append(id.description)
        let sql = "SELECT \(CatalogReads.productColumns) FROM products p WHERE \(conditions.joined(separator: " AND "))"
        return try catalog.read { db in try CatalogReads.products(db, rows: Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments))).first }
    }

    /// File `n` of a product `visibility` lets its holder see, and where its bytes are.
    public func storedFile(_ id: ProductID, n: Int, as visibility: Visibility) throws(KhoError) -> (file: StoredFile, path: HostPath)? {
        guard let product = try product(id, as: visibility), let file = product.files.first(where: { $0.n == n }) else { return nil }
        return (file, blobs.path(for: file.sha256))
    }

    /// The products `visibility` lets its holder see that hold a file with these bytes.
    public func holders(sha256: String, as visibility: Visibility) throws(KhoError) -> [(id: ProductID, title: String)] {
        guard SHA256Hex.isValid(sha256) else { return [] }
        var (conditions, arguments) = Self.visibilitySQL(visibility)
        conditions.append("p.pk IN (SELECT product_pk FROM files WHERE sha256 = ?)")
        arguments.append(sha256)
        let sql = "SELECT p.id, p.title FROM products p WHERE \(conditions.joined(separator: " AND ")) ORDER BY p.pk LIMIT 20"
        return try catalog.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).compactMap { row in
                guard case .success(let id) = ProductID.parse(row[0]) else { return nil }
                return (id, row[1])
            }
        }
    }

    /// Whether a product with this metadata would be in `visibility`'s scope (its unit, read
    /// in the table of its date): staff create and change products only there.
    public func covers(_ m: ProductMetadata, _ v: Visibility) -> Bool { Self.covers(m, v) }

    static func covers(_ m: ProductMetadata, _ v: Visibility) -> Bool {
        let table = UnitTable.standard
        return v.selection.holds(m.unit.value, era: table.era(ofProductUnit: m.unit.value, produced: m.produced, published: m.published), table: table)
    }

    /// Whether `visibility` lets its holder see product `id` (inside a transaction).
    static func isVisible(_ db: Database, _ id: ProductID, _ visibility: Visibility) throws -> Bool {
        var (conditions, arguments) = visibilitySQL(visibility)
        conditions.append("p.id = ?")
        arguments.append(id.description)
        return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM products p WHERE \(conditions.joined(separator: " AND ")))",
                                 arguments: StatementArguments(arguments)) ?? false
    }

    static func visibilitySQL(_ v: Visibility) -> (conditions: [String], arguments: [any DatabaseValueConvertible]) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if v.selection != .country {
            let scope = ReportSQL.scope(v.selection)
            conditions.append("(\(scope.sql))")
            arguments += scope.arguments
        }
        if !v.includeRestricted { conditions.append("p.access <> 'restricted'") }
        return (conditions, arguments)
    }
}
