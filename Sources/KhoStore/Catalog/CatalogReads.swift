// Reading products back from the catalog.
import Foundation
import GRDB
import KhoCore
import KhoPlatform

/// A file of some product that holds a given blob.
public struct BlobHolder: Sendable, Equatable {
    public var productID: ProductID
    public var title: String
    public var n: Int
    public var role: FileRole
    public var name: String
}

enum CatalogReads {
    static let productColumns = """
        p.pk, p.id, p.title, p.kind, p.unit, p.produced, p.published, p.campaign, p.description, p.creator,
        p.access, p.origin, p.carrier, p.digitized_on, p.digitization_method, p.created_at, p.updated_at,
        p.languages, p.channels, p.topics, p.home_archive
        """

    static func productPK(_ db: Database, id: ProductID) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT pk FROM products WHERE id = ?"), arguments: [id.description])
    }

    static func product(_ db: Database, id: ProductID) throws -> Product? {
        // Prepared once per connection: a bundle import asks this twice for every product.
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(productColumns) FROM products p WHERE p.id = ?"), arguments: [id.description])
        return try products(db, rows: rows).first
    }

    /// The products with these IDs (those that exist), read in one query per 500.
    static func products(_ db: Database, ids: [ProductID]) throws -> [ProductID: Product] {
        var out: [ProductID: Product] = [:]
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = ids[start..<min(start + 500, ids.count)].map(\.description)
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            let rows = try Row.fetchAll(db, sql: "SELECT \(productColumns) FROM products p WHERE p.id IN (\(marks))", arguments: StatementArguments(chunk))
            for product in try products(db, rows: rows) { out[product.id] = product }
        }
        return out
    }

    static func list(_ db: Database, filter: ProductFilter) throws -> (products: [Product], total: Int) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let kind = filter.kind { conditions.append("p.kind = ?"); arguments.append(kind.rawValue) }
        if let unit = filter.unit { conditions.append("p.unit = ?"); arguments.append(unit.value) }
        if let digitized = filter.digitized { conditions.append("p.digitized = ?"); arguments.append(digitized ? 1 : 0) }
        if let from = filter.from { conditions.append("p.reference_date >= ?"); arguments.append(from.description) }
        if let to = filter.to { conditions.append("p.reference_date <= ?"); arguments.append(to.description) }
        if let language = filter.language {
            // `--lang blt` also finds `blt-Tavt`.
            conditions.append("EXISTS (SELECT 1 FROM json_each(p.languages) l WHERE l.value = ? OR l.value LIKE ?)")
            arguments.append(language.value)
            arguments.append(language.value + "-%")
        }
        if let channel = filter.channel {
            conditions.append("EXISTS (SELECT 1 FROM json_each(p.channels) c WHERE c.value = ?)")
            arguments.append(channel.rawValue)
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM products p \(whereClause)", arguments: StatementArguments(arguments)) ?? 0
        var sql = "SELECT \(productColumns) FROM products p \(whereClause) ORDER BY p.reference_date IS NULL, p.reference_date, p.title_sort, p.id"
        if let limit = filter.limit { sql += " LIMIT \(max(0, limit))" }
        let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
        return (try products(db, rows: rows), total)
    }

    static func search(_ db: Database, ftsQuery: String, limit: Int?) throws -> [Product] {
        var sql = """
            SELECT \(productColumns) FROM products_search s JOIN products p ON p.pk = s.rowid
            WHERE products_search MATCH ? ORDER BY bm25(products_search, 10.0, 2.0, 4.0), p.title_sort
            """
        if let limit { sql += " LIMIT \(max(0, limit))" }
        return try products(db, rows: Row.fetchAll(db, sql: sql, arguments: [ftsQuery]))
    }

    static func events(_ db: Database, productID: ProductID) throws -> [PreservationEvent] {
        let sql = try eventsKeyed(db) ? "SELECT * FROM events WHERE product_pk = (SELECT pk FROM products WHERE id = ?) ORDER BY pk"
            : "SELECT * FROM events WHERE product_id = ? ORDER BY pk"
        return try Row.fetchAll(db, sql: sql, arguments: [productID.description]).map(event)
    }

    /// Whether events carry their product's row key (v12); a read-only catalog of an older Kho
    /// finds them by product ID.
    static func eventsKeyed(_ db: Database) throws -> Bool {
        try db.columns(in: "events").contains { $0.name == "product_pk" }
    }

    /// The events of these products, each product's in order.
    static func events(_ db: Database, productIDs: [ProductID]) throws -> [ProductID: [PreservationEvent]] {
        var out: [ProductID: [PreservationEvent]] = [:]
        for start in stride(from: 0, to: productIDs.count, by: 500) {
            let chunk = productIDs[start..<min(start + 500, productIDs.count)].map(\.description)
            let marks = chunk.map { _ in "?" }.joined(separator: ",")
            let sql = try eventsKeyed(db) ? "SELECT * FROM events WHERE product_pk IN (SELECT pk FROM products WHERE id IN (\(marks))) ORDER BY product_pk, pk"
                : "SELECT * FROM events WHERE product_id IN (\(marks)) ORDER BY product_id, pk"
            let (rows, c) = try RowValues.fetchAll(db.makeStatement(sql: sql), arguments: StatementArguments(chunk))
            for row in rows {
                let e = event(row, c)
                if let id = e.productID { out[id, default: []].append(e) }
            }
        }
        return out
    }

    static func event(_ row: Row) -> PreservationEvent { event(RowValues(row), ColumnPositions(row)) }

    static func event(_ row: RowValues, _ c: ColumnPositions) -> PreservationEvent {
        PreservationEvent(
            id: row[c["pk"]], at: Timestamp(iso: row[c["at"]]), type: EventType(rawValue: row[c["type"]]) ?? .metadataModification,
            object: row[c["object"]], productID: (row[c["product_id"]] as String?).flatMap { try? ProductID.parse($0).get() },
            agent: row[c["agent"]], outcome: EventOutcome(rawValue: row[c["outcome"]]) ?? .warning, detail: row[c["detail"]],
            importedFrom: row[c["imported_from"]])
    }

    static func holders(_ db: Database, sha256: String) throws -> [BlobHolder] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT p.id, p.title, f.seq, f.role, f.name FROM files f JOIN products p ON p.pk = f.product_pk
            WHERE f.sha256 = ? ORDER BY p.pk, f.seq
            """), arguments: [sha256]).compactMap { row in
            guard let id = try? ProductID.parse(row["id"]).get() else { return nil }
            return BlobHolder(productID: id, title: row["title"], n: row["seq"],
                              role: FileRole(rawValue: row["role"]) ?? .master, name: row["name"])
        }
    }

    static func damagedBlobs(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT sha256 FROM blobs WHERE last_check_outcome IN ('damaged', 'missing')"))
    }

    /// Builds full products (lists and files included) for product rows, in the rows' order.
    static func products(_ db: Database, rows: [Row]) throws -> [Product] {
        if rows.isEmpty { return [] }
        let c = ColumnPositions(rows.first)
        let pkAt = c["pk"]
        let products = rows.map(RowValues.init)
        let pks: [Int64] = products.map { $0[pkAt] }
        var files: [Int64: [StoredFile]] = [:]
        // One prepared statement for any number of products: their keys as one JSON list.
        let sql = "SELECT * FROM files WHERE product_pk IN (SELECT value FROM json_each(?)) ORDER BY product_pk, seq"
        for chunk in stride(from: 0, to: pks.count, by: 500).map({ Array(pks[$0..<min($0 + 500, pks.count)]) }) {
            let keys = "[" + chunk.map(String.init).joined(separator: ",") + "]"
            let (fileRows, f) = try RowValues.fetchAll(db.cachedStatement(sql: sql), arguments: [keys])
            let productAt = f["product_pk"]
            for row in fileRows { files[row[productAt], default: []].append(storedFile(row, f)) }
        }
        // Most products share a few languages: each tag is parsed once per page.
        var tags: [String: LanguageTag] = [:]
        return try products.map { row in try product(row, c, files: files[row[pkAt]] ?? [], tags: &tags) }
    }

    /// A row of `files` (all its columns) as the product's stored file.
    static func storedFile(_ row: RowValues, _ c: ColumnPositions) -> StoredFile {
        let name = FileName(display: row[c["name"]], original: [UInt8](row[c["name_bytes"]] as Data), decodedAs: row[c["name_encoding"]])
        return StoredFile(
            n: row[c["seq"]], sha256: row[c["sha256"]], size: row[c["size"]], name: name,
            role: FileRole(rawValue: row[c["role"]]) ?? .supplement, mediaType: row[c["media_type"]],
            addedAt: Timestamp(iso: row[c["added_at"]]))
    }

    /// A row of `productColumns` as a product with these files. `tags`: language tags parsed
    /// so far (most products share a few), added to.
    static func product(_ row: RowValues, _ c: ColumnPositions, files: [StoredFile], tags: inout [String: LanguageTag]) throws -> Product {
        func list(_ column: String) -> [String] { JSONList.decode(row[c[column]] as String? ?? "[]") ?? [] }
        return try decode(row, c, languages: list("languages"), channels: list("channels"), topics: list("topics"), files: files, tags: &tags)
    }

    private static func decode(_ row: RowValues, _ c: ColumnPositions, languages: [String], channels: [String], topics: [String],
                               files: [StoredFile], tags: inout [String: LanguageTag]) throws -> Product {
        let idText: String = row[c["id"]]
        func damaged(_ field: String, _ value: String?) -> KhoError {
            KhoError(.catalogDamaged, "product \(idText) has an unreadable \(field) '\(value ?? "")' in the catalog")
        }
        guard let id = try? ProductID.parse(idText).get() else { throw damaged("ID", idText) }
        guard let kind = ProductKind(rawValue: row[c["kind"]]) else { throw damaged("kind", row[c["kind"]]) }
        guard let unit = try? UnitCode.parse(row[c["unit"]]).get() else { throw damaged("unit", row[c["unit"]]) }
        guard let access = AccessLevel(rawValue: row[c["access"]]) else { throw damaged("access", row[c["access"]]) }
        guard let origin = Origin(rawValue: row[c["origin"]]) else { throw damaged("origin", row[c["origin"]]) }
        func date(_ column: String) throws -> CalendarDate? {
            guard let text: String = row[c[column]] else { return nil }
            guard let d = try? CalendarDate.parse(text).get() else { throw damaged(column, text) }
            return d
        }
        let metadata = ProductMetadata(
            title: row[c["title"]], kind: kind, languages: try languages.map { t in
                if let known = tags[t] { return known }
                guard let tag = try? LanguageTag.parse(t).get() else { throw damaged("language", t) }
                tags[t] = tag
                return tag
            }, unit: unit, produced: try date("produced"), published: try date("published"),
            channels: channels.compactMap(Channel.init(rawValue:)), topics: topics, campaign: row[c["campaign"]],
            description: row[c["description"]], creator: row[c["creator"]], access: access)
        let digitization = Digitization(
            origin: origin, carrier: (row[c["carrier"]] as String?).flatMap(Carrier.init(rawValue:)),
            digitizedOn: try date("digitized_on"),
            method: (row[c["digitization_method"]] as String?).flatMap(DigitizationMethod.init(rawValue:)))
        return Product(id: id, metadata: metadata, digitization: digitization, files: files,
                       createdAt: Timestamp(iso: row[c["created_at"]]), updatedAt: Timestamp(iso: row[c["updated_at"]]),
                       homeArchive: row[c["home_archive"]])
    }
}

/// Where each column of a result is, found once per result: GRDB finds a column of a copied
/// row by name by lower-casing every column name before it, on every lookup.
struct ColumnPositions: Sendable {
    private let positions: [String: Int]

    init(_ row: Row?) { self.init(names: row.map { Array($0.columnNames) } ?? []) }

    init(names: [String]) {
        positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The column's position; a column the query does not select is a programming error.
    subscript(_ name: String) -> Int {
        guard let position = positions[name] else { preconditionFailure("the query selects no column \(name)") }
        return position
    }
}
