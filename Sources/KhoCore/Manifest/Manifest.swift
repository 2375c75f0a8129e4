// Reading a manifest (CSV or JSON Lines) into rows of named cells. One row, one product.
import Foundation
import Synchronization

public struct ManifestRow: Sendable, Equatable {
    /// The row number a spreadsheet shows (header = 1), or the line number in JSON Lines.
    public var row: Int
    /// Cell text by column; list columns hold `|`-separated values.
    public var cells: [ManifestColumn: String]

    public init(row: Int, cells: [ManifestColumn: String]) {
        self.row = row
        self.cells = cells
    }

    public subscript(_ column: ManifestColumn) -> String? {
        guard let text = cells[column]?.trimmingWhitespace(), !text.isEmpty else { return nil }
        return text
    }
}

/// A problem in one row: which row, which column, the value, what was expected.
public struct RowProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    public var row: Int
    public var column: String
    public var value: String
    public var expected: String
    public var code: ErrorCode

    public init(row: Int, column: String, value: String, expected: String, code: ErrorCode) {
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        self.code = code
    }

    public init(row: Int, _ problem: Problem, column: String? = nil) {
        self.init(row: row, column: column ?? problem.field, value: problem.value, expected: problem.expected, code: problem.code)
    }

    /// Control characters in the value are shown escaped, never raw.
    public var description: String {
        "row \(row), \(column): \(value.isEmpty ? "(empty)" : "'\(TextRules.visible(value))'") — \(expected)"
    }
}

/// A manifest's rows. A CSV keeps only its text (in blocks) and where each row starts, and is
/// cut into cells a slice at a time; a reader that goes through it once lets go of the text
/// behind it (`release(before:)`), so a long manifest costs at most its own bytes while it is
/// imported, and less as the import goes on. JSON Lines rows are kept read.
public struct ManifestRows: Sendable {
    enum Storage: Sendable {
        case read([ManifestRow])
        case csv(text: TextBlocks, starts: [Int], numbers: [Int], delimiter: UInt8, columns: [Int: ManifestColumn])
    }
    let storage: Storage

    /// A text in blocks of 1 MiB, each dropped once nothing before its end will be read again.
    final class TextBlocks: Sendable {
        static let blockSize = 1 << 20
        let count: Int
        private let blocks: Mutex<[[UInt8]?]>

        init(_ text: [UInt8]) {
            count = text.count
            blocks = Mutex(stride(from: 0, to: text.count, by: Self.blockSize).map { Array(text[$0..<min($0 + Self.blockSize, text.count)]) })
        }

        /// The bytes from `start` to `end` (still held).
        func bytes(_ start: Int, _ end: Int) -> [UInt8] {
            blocks.withLock { blocks in
                var out: [UInt8] = []
                out.reserveCapacity(end - start)
                var at = start
                while at < end {
                    let index = at / Self.blockSize, offset = at % Self.blockSize
                    guard let block = blocks[index] else { preconditionFailure("manifest text read after it was released") }
                    let take = min(end - at, block.count - offset)
                    out += block[offset..<offset + take]
                    at += take
                }
                return out
            }
        }

        /// Drops the blocks that end at or before `offset`.
        func release(before offset: Int) {
            blocks.withLock { blocks in
                for index in 0..<min(blocks.count, offset / Self.blockSize) { blocks[index] = nil }
            }
        }
    }

    public var count: Int {
        switch storage {
        case .read(let rows): rows.count
        case .csv(_, let starts, _, _, _): starts.count
        }
    }

    /// The row number (as a spreadsheet shows it) of the row at `index`.
    public func number(at index: Int) -> Int {
        switch storage {
        case .read(let rows): rows[index].row
        case .csv(_, _, let numbers, _, _): numbers[index]
        }
    }

    /// Whether a row with this number was read (rows are in order).
    public func contains(number: Int) -> Bool { index(ofNumber: number) != nil }

    /// Where the row with this number is (nil: no such row was read).
    public func index(ofNumber number: Int) -> Int? {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            let found = self.number(at: mid)
            if found == number { return mid }
            if found < number { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    /// The rows at these indices, cut into cells.
    public subscript(_ range: Range<Int>) -> [ManifestRow] {
        switch storage {
        case .read(let rows):
            return Array(rows[range])
        case .csv(let text, let starts, let numbers, let delimiter, let columns):
            guard !range.isEmpty else { return [] }
            var rows: [ManifestRow] = []
            rows.reserveCapacity(range.count)
            let end = range.upperBound < starts.count ? starts[range.upperBound] : text.count
            // The text was scanned whole before, so this slice holds exactly these records.
            _ = DelimitedText.scan(text.bytes(starts[range.lowerBound], end), delimiter: delimiter, firstRow: numbers[range.lowerBound]) { record, _ in
                rows.append(ManifestParser.row(record, columns: columns))
            }
            return rows
        }
    }

    /// Lets go of the text of the rows before `index`: they will not be read again.
    public func release(before index: Int) {
        guard case .csv(let text, let starts, _, _, _) = storage, index > 0 else { return }
        text.release(before: index < starts.count ? starts[index] : text.count)
    }

    /// Every row, cut into cells.
    public var all: [ManifestRow] { self[0..<count] }
}

public struct ParsedManifest: Sendable {
    public var table: ManifestRows
    /// Every row, cut into cells (a whole CSV at once: for small manifests and tests).
    public var rows: [ManifestRow] { table.all }
    /// Problems in rows that could not even be read (a JSON line that is not an object).
    public var rowProblems: [RowProblem]
    /// "CSV, semicolon-separated, UTF-8 with BOM" and the like.
    public var format: String
    public var warnings: [String]
    /// Each column's header as written ("loại", "Tiêu đề"), for messages the clerk recognises.
    public var headers: [ManifestColumn: String] = [:]
}

public enum ManifestParser {
    /// Reads a manifest. Fails only when nothing can be read (no header, no known column,
    /// an unclosed quote); problems in single rows are reported per row later.
    public static func parse(_ bytes: [UInt8], fileName: String) -> Result<ParsedManifest, KhoError> {
        let decoded = TextDecoding.decode(bytes)
        var warnings = decoded.warning.map { [$0] } ?? []
        let ext = MediaType.fileExtension(fileName)
        let firstByte = decoded.utf8.first { !(($0 == 0x20) || ($0 == 0x09) || ($0 == 0x0A) || ($0 == 0x0D)) }
        if ext == "jsonl" || ext == "ndjson" || (ext != "csv" && firstByte == UInt8(ascii: "{")) {
            return jsonLines(decoded, warnings: warnings)
        }
        let text = decoded.utf8
        let delimiter = DelimitedText.detectDelimiter(text)
        // One pass over the text: the header, where each row starts, and rows with too many cells.
        var header: DelimitedRecord?
        var starts: [Int] = [], numbers: [Int] = []
        var problems: [RowProblem] = []
        let failure = DelimitedText.scan(text, delimiter: delimiter) { record, start in
            guard let header else {
                header = record
                return
            }
            starts.append(start)
            numbers.append(record.row)
            if record.fields.count > header.fields.count, record.fields[header.fields.count...].contains(where: { !$0.trimmingWhitespace().isEmpty }) {
                problems.append(RowProblem(row: record.row, column: "(row)", value: record.fields[header.fields.count...].joined(separator: " "),
                                           expected: "this row has \(record.fields.count) cells but the header has \(header.fields.count); a cell with the delimiter must be quoted", code: .extraCells))
            }
        }
        if let failure { return .failure(KhoError(.malformedManifest, "\(fileName): \(failure.expected)")) }
        guard let header else {
            return .failure(KhoError(.emptyManifest, "\(fileName) is empty: expected a header row (title, kind, languages, unit, …) and one row per product"))
        }
        let columns: [Int: ManifestColumn]
        let seen: [ManifestColumn: String]
        switch headerColumns(header, delimiter: delimiter, fileName: fileName, warnings: &warnings) {
        case .success(let found): (columns, seen) = found
        case .failure(let error): return .failure(error)
        }
        let table = ManifestRows(storage: .csv(text: ManifestRows.TextBlocks(text), starts: starts, numbers: numbers, delimiter: delimiter, columns: columns))
        let name = delimiter == UInt8(ascii: ";") ? "semicolon" : delimiter == UInt8(ascii: "\t") ? "tab" : "comma"
        return .success(ParsedManifest(table: table, rowProblems: problems, format: "CSV, \(name)-separated, \(decoded.encoding)",
                                       warnings: warnings, headers: seen))
    }

    /// A record's cells under the columns its header named.
    static func row(_ record: DelimitedRecord, columns: [Int: ManifestColumn]) -> ManifestRow {
        var cells: [ManifestColumn: String] = [:]
        for (index, value) in record.fields.enumerated() {
            if let column = columns[index] { cells[column] = value }
        }
        return ManifestRow(row: record.row, cells: cells)
    }

    /// Which column each header cell names; unknown headers are a warning, a column named twice
    /// or no known column at all an error.
    static func headerColumns(_ header: DelimitedRecord, delimiter: UInt8, fileName: String,
                              warnings: inout [String]) -> Result<([Int: ManifestColumn], [ManifestColumn: String]), KhoError> {
        var columns: [Int: ManifestColumn] = [:]
        var seen: [ManifestColumn: String] = [:]
        var unknown: [String] = []
        for (index, name) in header.fields.enumerated() {
            let trimmed = name.trimmingWhitespace()
            if trimmed.isEmpty { continue }
            guard let column = ManifestColumn.named(trimmed) else { unknown.append(trimmed); continue }
            if let earlier = seen[column] {
                return .failure(KhoError(.duplicateColumn, "\(fileName): columns '\(earlier)' and '\(trimmed)' both mean \(column.rawValue); keep one"))
            }
            seen[column] = trimmed
            columns[index] = column
        }
        if columns.isEmpty {
            return .failure(KhoError(.noKnownColumns, "\(fileName): the header row '\(header.fields.joined(separator: String(UnicodeScalar(delimiter))))' names none of Kho's columns; expected title, kind, languages, unit, files… (English or Vietnamese: tiêu đề, loại, ngôn ngữ, đơn vị, tệp…)"))
        }
        if !unknown.isEmpty {
            warnings.append("column(s) \(unknown.map { "'\($0)'" }.joined(separator: ", ")) are not Kho columns and were ignored")
        }
        return .success((columns, seen))
    }

    /// Deeper than any manifest line (a flat object whose values may be lists).
    static let maxNesting = 16

    /// How deep a JSON text nests objects and arrays (strings skipped); nil if it never does.
    static func nesting(_ text: ArraySlice<UInt8>) -> Int? {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for byte in text {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1; deepest = max(deepest, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        return deepest == 0 ? nil : deepest
    }

    static func jsonLines(_ decoded: DecodedText, warnings: [String]) -> Result<ParsedManifest, KhoError> {
        var rows: [ManifestRow] = []
        var problems: [RowProblem] = []
        var unknown: Set<String> = []
        var lineNumber = 0
        for line in decoded.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let text = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
            if text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            if text.count > DelimitedText.maxFieldBytes {
                problems.append(RowProblem(row: lineNumber, column: "(line)", value: String(decoding: text.prefix(20), as: UTF8.self),
                                           expected: "the line is larger than \(DelimitedText.maxFieldBytes >> 20) MB; a manifest line describes one product", code: .malformedJson))
                continue
            }
            if let depth = nesting(text), depth > maxNesting {
                problems.append(RowProblem(row: lineNumber, column: "(line)", value: String(decoding: text.prefix(20), as: UTF8.self),
                                           expected: "the line is nested \(depth) levels deep; a manifest line is one flat object, like {\"title\": \"…\"}", code: .malformedJson))
                continue
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(text)) as? [String: Any] else {
                problems.append(RowProblem(row: lineNumber, column: "(line)", value: String(decoding: text.prefix(60), as: UTF8.self),
                                           expected: "each line must be one JSON object, like {\"title\": \"…\", \"kind\": \"article\"}", code: .malformedJson))
                continue
            }
            var cells: [ManifestColumn: String] = [:]
            for (key, value) in object {
                guard let column = ManifestColumn.named(key) else { unknown.insert(key); continue }
                switch value {
                case let s as String: cells[column] = s
                case let list as [Any]: cells[column] = list.map { ($0 as? String) ?? ($0 as? NSNumber)?.stringValue ?? "(not text)" }.joined(separator: "|")
                case is NSNull: continue
                case let n as NSNumber: cells[column] = n.stringValue
                default: cells[column] = "(an object, not text)"
                }
            }
            rows.append(ManifestRow(row: lineNumber, cells: cells))
        }
        var all = warnings
        if !unknown.isEmpty { all.append("key(s) \(unknown.sorted().map { "'\($0)'" }.joined(separator: ", ")) are not Kho columns and were ignored") }
        return .success(ParsedManifest(table: ManifestRows(storage: .read(rows)), rowProblems: problems, format: "JSON Lines, \(decoded.encoding)", warnings: all))
    }
}
