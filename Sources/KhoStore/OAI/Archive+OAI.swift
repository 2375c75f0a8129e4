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

    /// The earliest datestamp of any product (now for an empty catalog).
    public func oaiEarliest() throws(KhoError) -> Int64? {
        try catalog.read { db in try String.fetchOne(db, sql: "SELECT min(updated_at) FROM products").map(Self.oaiSecond) }
    }

    /// The languages products are in (for the language sets).
    public func oaiLanguagesInUse() throws(KhoError) -> [String] {
        try catalog.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT j.value FROM products p, json_each(p.languages) j ORDER BY 1")
        }
    }

    /// A page of at most `limit` entries after `after` (updated_at, pk), and whether more follow.
    public func oaiPage(_ filter: OAIFilter, viewer: OAIViewer, after: (String, Int64)?, limit: Int) throws(KhoError) -> (entries: [OAIEntry], more: Bool) {
        var (conditions, arguments) = Self.oaiConditions(filter, viewer: viewer)
        if let after {
            conditions.append("(p.updated_at, p.pk) > (?, ?)")
            arguments += [after.0, after.1]
        }
        let (scopeSQL, scopeArguments) = Self.oaiScope(viewer)
        let sql = """
            SELECT p.pk, p.id, p.updated_at, p.access, p.withdrawn, \(scopeSQL), p.province_now, p.unit, p.unit_era, p.kind, p.languages
            FROM products p INDEXED BY products_changed
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY p.updated_at, p.pk LIMIT ?
            """
        return try catalog.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(scopeArguments + arguments + [limit + 1]))
            let entries = rows.prefix(limit).map { row -> OAIEntry in
                let access: String = row[3]
                let withdrawn: Bool = row[4]
                let readable = !withdrawn && (access == AccessLevel.public.rawValue || access == AccessLevel.internal.rawValue && (row[5] as Bool))
                let changed: String = row[2]
                return OAIEntry(pk: row[0], id: row[1], changedAt: changed, datestamp: Self.oaiSecond(changed), deleted: !readable,
                                sets: Self.oaiSets(row, from: 6))
            }
            return (entries, rows.count > limit)
        }
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
    public func oaiEntry(id: String, viewer: OAIViewer) throws(KhoError) -> OAIEntry? {
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
            let access: String = row[3]
            let withdrawn: Bool = row[4]
            let readable = !withdrawn && (access == AccessLevel.public.rawValue || access == AccessLevel.internal.rawValue && (row[5] as Bool))
            let changed: String = row[2]
            return OAIEntry(pk: row[0], id: row[1], changedAt: changed, datestamp: Self.oaiSecond(changed), deleted: !readable,
                            sets: Self.oaiSets(row, from: 6))
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

    /// Products the viewer is told of (ever readable to its kind of harvester), in the set and bounds.
    static func oaiConditions(_ filter: OAIFilter, viewer: OAIViewer) -> ([String], [any DatabaseValueConvertible]) {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        switch viewer {
        case .anyone: conditions.append("(p.shown & 1) <> 0")
        case .exporter(let selection):
            let (scopeSQL, scopeArguments) = oaiScope(.exporter(selection))
            conditions.append("((p.shown & 1) <> 0 OR ((p.shown & 2) <> 0 AND \(scopeSQL)))")
            arguments += scopeArguments
        }
        // Whole seconds: from its first instant, until before the next second.
        if let from = filter.from { conditions.append("p.updated_at >= ?"); arguments.append(String(OAIDate.format(from).dropLast())) }
        if let until = filter.until { conditions.append("p.updated_at < ?"); arguments.append(String(OAIDate.format(until + 1).dropLast())) }
        switch filter.set {
        case nil, .units, .kinds, .languages: break
        case .province(let p): conditions.append("p.province_now = ?"); arguments.append(p)
        case .commune(let p, let c):
            conditions.append("p.province_now = ? AND p.unit = ? AND p.unit_era = 1"); arguments += [p, c]
        case .kind(let k): conditions.append("p.kind = ?"); arguments.append(k.rawValue)
        case .language(let tag): conditions.append("instr(p.languages, ?) > 0"); arguments.append("\"\(tag)\"")
        }
        return (conditions, arguments)
    }

    static func oaiSets(_ row: Row, from i: Int) -> [String] {
        let languages = JSONList.decode(row[i + 4] as String) ?? []
        return OAISets.membership(provinceNow: row[i], unit: row[i + 1], unitIsToday: (row[i + 2] as Int) == 1,
                                  kind: ProductKind(rawValue: row[i + 3]) ?? .article, languages: languages)
    }
}
