// What the catalog already holds of an import chunk's source IDs and titles, found with one
// query each instead of two per row. A row whose source ID and title are both unknown is new.
import GRDB
import KhoCore

final class ChunkLookups {
    private var sources: Set<String> = []
    private var titles: Set<TitleBytes> = []

    init(_ db: Database, rows: [PlannedRow]) throws {
        var sourceKeys: [String] = []
        var titleKeys: [Int64] = []
        for row in rows {
            guard let m = row.action?.metadata else { continue }
            titleKeys.append(TitleKey.of(m.title))
            if let source = row.sourceID { sourceKeys.append(source) }
        }
        for batch in stride(from: 0, to: sourceKeys.count, by: 500).map({ Array(sourceKeys[$0..<min($0 + 500, sourceKeys.count)]) }) {
            let marks = batch.map { _ in "?" }.joined(separator: ",")
            for row in try Row.fetchAll(db, sql: "SELECT unit, source_id FROM product_sources WHERE source_id IN (\(marks))", arguments: StatementArguments(batch)) {
                sources.insert((row[0] as String) + "\u{1}" + (row[1] as String))
            }
        }
        for batch in stride(from: 0, to: titleKeys.count, by: 500).map({ Array(titleKeys[$0..<min($0 + 500, titleKeys.count)]) }) {
            let marks = batch.map { _ in "?" }.joined(separator: ",")
            titles.formUnion(try String.fetchAll(db, sql: "SELECT title FROM products WHERE title_key IN (\(marks))", arguments: StatementArguments(batch)).map(TitleBytes.init))
        }
    }

    func mayHaveSource(_ unit: String, _ source: String) -> Bool { sources.contains(unit + "\u{1}" + source) }
    func mayHaveTitle(_ title: String) -> Bool { titles.contains(TitleBytes(title)) }

    /// A row of this chunk stored a product: later rows must see it.
    func stored(title: String, unit: String, source: String?) {
        titles.insert(TitleBytes(title))
        if let source { sources.insert(unit + "\u{1}" + source) }
    }
}
