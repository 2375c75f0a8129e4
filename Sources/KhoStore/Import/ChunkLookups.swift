// What the catalog already holds of an import's source IDs and titles. Each chunk asks the
// catalog in two queries (not two per row). On a first load into an empty archive, while no
// other process writes, every product is one this import stored, so the import's own record
// answers and the queries are skipped.
import GRDB
import KhoCore
import KhoPlatform

final class ChunkLookups {
    // 64-bit hashes of "unit, source ID" and of titles: what may be held, 8 bytes a row. Two
    // keys sharing a hash only cost the exact query that follows a "may have".
    private var sources: Set<Int> = []
    private var titles: Set<Int64> = []
    /// The catalog had no products when the import began, and nobody else has written since.
    private var onlyOurs: Bool
    private var dataVersion: Int

    /// What the import may touch (ImportOptions.within).
    let within: Visibility?

    init(_ db: Database, within: Visibility? = nil) throws {
        self.within = within
        onlyOurs = try Int.fetchOne(db, sql: "SELECT 1 FROM products LIMIT 1") == nil
        dataVersion = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
    }

    /// Learns what the catalog holds of this chunk's keys (unless only this import has written).
    func load(_ db: Database, rows: [PlannedRow]) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
        if version != dataVersion { onlyOurs = false }
        dataVersion = version
        if onlyOurs { return }
        var sourceKeys: [String] = []   // unit, source ID, unit, source ID…
        var titleKeys: [Int64] = []
        for row in rows {
            guard let m = row.action?.metadata else { continue }
            titleKeys.append(TitleKey.of(m.title))
            if let source = row.sourceID { sourceKeys += [m.unit.value, source] }
        }
        // Looked up by the whole primary key (unit, source ID): a search per key, not a scan
        // of every source the catalog holds.
        for batch in stride(from: 0, to: sourceKeys.count, by: 1000).map({ Array(sourceKeys[$0..<min($0 + 1000, sourceKeys.count)]) }) {
            let pairs = Array(repeating: "(?, ?)", count: batch.count / 2).joined(separator: ",")
            let sql = "SELECT s.unit, s.source_id FROM (VALUES \(pairs)) AS v JOIN product_sources s ON s.unit = v.column1 AND s.source_id = v.column2"
            for row in try Row.fetchAll(batch.count == 1000 ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql), arguments: StatementArguments(batch)) {
                sources.insert(Self.sourceKey(row[0], row[1]))
            }
        }
        for batch in stride(from: 0, to: titleKeys.count, by: 500).map({ Array(titleKeys[$0..<min($0 + 500, titleKeys.count)]) }) {
            let marks = batch.map { _ in "?" }.joined(separator: ",")
            let sql = "SELECT title FROM products WHERE title_key IN (\(marks))"
            titles.formUnion(try String.fetchAll(batch.count == 500 ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql),
                                                 arguments: StatementArguments(batch)).map(TitleKey.of))
        }
    }

    private static func sourceKey(_ unit: String, _ source: String) -> Int {
        var hasher = Hasher()
        hasher.combine(unit)
        hasher.combine(source)
        return hasher.finalize()
    }

    func mayHaveSource(_ unit: String, _ source: String) -> Bool { sources.contains(Self.sourceKey(unit, source)) }
    func mayHaveTitle(_ title: String) -> Bool { titles.contains(TitleKey.of(title)) }

    /// A row stored a product: later rows must see it.
    func stored(title: String, unit: String, source: String?) {
        titles.insert(TitleKey.of(title))
        if let source { sources.insert(Self.sourceKey(unit, source)) }
    }
}
