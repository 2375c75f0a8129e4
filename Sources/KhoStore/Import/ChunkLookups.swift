// What the catalog already holds of an import's source IDs and titles. Each chunk asks the
// catalog in two queries (not two per row). On a first load into an empty archive, while no
// other process writes, every product is one this import stored, so the import's own record
// answers and the queries are skipped.
import GRDB
import KhoCore
import KhoPlatform

final class ChunkLookups {
    private var sources: Set<String> = []
    private var titles: Set<TitleBytes> = []
    /// The catalog had no products when the import began, and nobody else has written since.
    private var onlyOurs: Bool
    private var dataVersion: Int

    init(_ db: Database) throws {
        onlyOurs = try Int.fetchOne(db, sql: "SELECT 1 FROM products LIMIT 1") == nil
        dataVersion = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
    }

    /// Learns what the catalog holds of this chunk's keys (unless only this import has written).
    func load(_ db: Database, rows: [PlannedRow]) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
        if version != dataVersion { onlyOurs = false }
        dataVersion = version
        if onlyOurs { return }
        var sourceKeys: [String] = []
        var titleKeys: [Int64] = []
        for row in rows {
            guard let m = row.action?.metadata else { continue }
            titleKeys.append(TitleKey.of(m.title))
            if let source = row.sourceID { sourceKeys.append(source) }
        }
        for batch in stride(from: 0, to: sourceKeys.count, by: 500).map({ Array(sourceKeys[$0..<min($0 + 500, sourceKeys.count)]) }) {
            let marks = batch.map { _ in "?" }.joined(separator: ",")
            let sql = "SELECT unit, source_id FROM product_sources WHERE source_id IN (\(marks))"
            for row in try Row.fetchAll(batch.count == 500 ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql), arguments: StatementArguments(batch)) {
                sources.insert((row[0] as String) + "\u{1}" + (row[1] as String))
            }
        }
        for batch in stride(from: 0, to: titleKeys.count, by: 500).map({ Array(titleKeys[$0..<min($0 + 500, titleKeys.count)]) }) {
            let marks = batch.map { _ in "?" }.joined(separator: ",")
            let sql = "SELECT title FROM products WHERE title_key IN (\(marks))"
            titles.formUnion(try String.fetchAll(batch.count == 500 ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql),
                                                 arguments: StatementArguments(batch)).map(TitleBytes.init))
        }
    }

    func mayHaveSource(_ unit: String, _ source: String) -> Bool { sources.contains(unit + "\u{1}" + source) }
    func mayHaveTitle(_ title: String) -> Bool { titles.contains(TitleBytes(title)) }

    /// A row stored a product: later rows must see it.
    func stored(title: String, unit: String, source: String?) {
        titles.insert(TitleBytes(title))
        if let source { sources.insert(unit + "\u{1}" + source) }
    }
}
