// A row's values, read by position without GRDB's generic decoding: `row[i] as String` looks
// up the type's metadata at run time for every value, and that lookup takes a lock every
// thread shares, so decoding products on two cores ran little faster than on one. Rows that
// are decoded by the thousand (product pages, sidecars, exports) go through this instead.
// A value of the wrong type is a programming error, as it is for GRDB.
import Foundation
import GRDB

struct RowValues: Sendable {
    private let values: [DatabaseValue]

    init(_ row: Row) { values = Array(row.databaseValues) }

    private init(values: [DatabaseValue]) { self.values = values }

    /// Every row of a query, read straight from the statement (no copied rows in between),
    /// and where its columns are. The values are read by position from SQLite's statement:
    /// GRDB's `Row.databaseValues` makes each column's name too, a string per value.
    static func fetchAll(_ statement: Statement, arguments: StatementArguments) throws -> (rows: [RowValues], columns: ColumnPositions) {
        var rows: [RowValues] = []
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        let handle = statement.sqliteStatement
        let columns = CInt(statement.columnCount)
        while try cursor.next() != nil {
            rows.append(RowValues(values: (0..<columns).map { DatabaseValue(sqliteStatement: handle, index: $0) }))
        }
        return (rows, ColumnPositions(names: statement.columnNames))
    }

    private func fail(_ i: Int, _ type: String) -> Never {
        preconditionFailure("column \(i) holds \(values[i]), not \(type)")
    }

    subscript(_ i: Int) -> String? {
        switch values[i].storage {
        case .null: nil
        case .string(let s): s
        default: fail(i, "text")
        }
    }

    subscript(_ i: Int) -> String {
        guard let s: String = self[i] else { fail(i, "text") }
        return s
    }

    subscript(_ i: Int) -> Int64? {
        switch values[i].storage {
        case .null: nil
        case .int64(let n): n
        case .double(let d) where Int64(exactly: d) != nil: Int64(d)
        default: fail(i, "an integer")
        }
    }

    subscript(_ i: Int) -> Int64 {
        guard let n: Int64 = self[i] else { fail(i, "an integer") }
        return n
    }

    subscript(_ i: Int) -> Int? { (self[i] as Int64?).map { Int($0) } }

    subscript(_ i: Int) -> Int { Int(self[i] as Int64) }

    subscript(_ i: Int) -> Bool { (self[i] as Int64) != 0 }

    subscript(_ i: Int) -> Data {
        switch values[i].storage {
        case .blob(let d): d
        case .string(let s): Data(s.utf8)
        default: fail(i, "bytes")
        }
    }
}
