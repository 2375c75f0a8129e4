// CSV as Excel and LibreOffice save it: comma, semicolon or tab; quoted fields holding
// delimiters, quotes ("") and line breaks; CRLF, LF or CR line ends. Works on UTF-8 bytes
// (the structural characters are ASCII, which never occurs inside a multi-byte character).

public struct DelimitedRecord: Sendable, Equatable {
    /// The row number a spreadsheet shows: the header is row 1; a cell with line breaks is still one row.
    public var row: Int
    public var fields: [String]
}

public enum DelimitedText {
    static let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    /// The delimiter of the first record: whichever of `,` `;` tab occurs most outside quotes.
    public static func detectDelimiter(_ utf8: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, UInt8(ascii: "\t"): 0]
        var quoted = false
        for byte in utf8 {
            if byte == quote { quoted.toggle(); continue }
            if !quoted && (byte == lf || byte == cr) { break }
            if !quoted, counts[byte] != nil { counts[byte]! += 1 }
        }
        let best = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!
        return best.value == 0 ? UInt8(ascii: ",") : best.key
    }

    /// More cells in one row than any manifest has: a file that is not one (or a broken
    /// export) is refused at once, before it fills memory with empty cells.
    public static let maxFields = 1000
    /// The most bytes in one cell (a long description is a few thousand).
    public static let maxFieldBytes = 1 << 20

    /// Splits into records. The errors: a quoted field that never closes, a row with more than
    /// `maxFields` cells, a cell of more than `maxFieldBytes`.
    public static func records(_ utf8: [UInt8], delimiter: UInt8) -> Result<[DelimitedRecord], Problem> {
        var records: [DelimitedRecord] = []
        if let problem = scan(utf8, delimiter: delimiter, visit: { record, _ in records.append(record) }) { return .failure(problem) }
        return .success(records)
    }

    /// Hands each record to `visit` with the offset of its first byte, reading the bytes from
    /// `start` up to `end` (rows numbered from `firstRow`), without keeping them: a caller can
    /// note where each record starts and cut it into cells again later. The problems are
    /// those of `records`.
    public static func scan(_ utf8: [UInt8], delimiter: UInt8, from start: Int = 0, to end: Int? = nil, firstRow: Int = 1,
                            visit: (DelimitedRecord, Int) -> Void) -> Problem? {
        var fields: [String] = []
        var field: [UInt8] = []
        var row = firstRow
        var quoted = false
        var quoteStartRow = 0
        var i = start
        var recordStart = start
        let n = end ?? utf8.count
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        func tooLarge() -> Problem? {
            if fields.count >= maxFields {
                return Problem(code: .malformedManifest, field: "row \(row)", value: "",
                               expected: "row \(row) has more than \(maxFields) cells; a manifest has one column per field — is this the right file, saved as CSV?")
            }
            if field.count > maxFieldBytes {
                return Problem(code: .malformedManifest, field: "row \(row)", value: "",
                               expected: "a cell in row \(row) is larger than \(maxFieldBytes >> 20) MB; check its quotes")
            }
            return nil
        }
        func endRecord(next: Int) {
            endField()
            if fields.contains(where: { !$0.isEmpty }) { visit(DelimitedRecord(row: row, fields: fields), recordStart) }
            fields.removeAll(keepingCapacity: true)
            row += 1
            recordStart = next
        }
        while i < n {
            let byte = utf8[i]
            if (byte == delimiter || field.count > maxFieldBytes), let problem = tooLarge() { return problem }
            if quoted {
                if byte == quote {
                    if i + 1 < n, utf8[i + 1] == quote { field.append(quote); i += 2; continue }
                    quoted = false
                } else {
                    field.append(byte)
                }
                i += 1
                continue
            }
            switch byte {
            case quote where field.isEmpty:
                quoted = true
                quoteStartRow = row
            case delimiter:
                endField()
            case cr:
                if i + 1 < n, utf8[i + 1] == lf { i += 1 }
                endRecord(next: i + 1)
            case lf:
                endRecord(next: i + 1)
            default:
                // A quote inside an unquoted field is kept as text, as spreadsheets do.
                field.append(byte)
            }
            i += 1
        }
        if quoted {
            return Problem(code: .unclosedQuote, field: "row \(quoteStartRow)", value: "\"",
                           expected: "a quoted cell that starts in row \(quoteStartRow) is never closed; check that row's quotes")
        }
        if !field.isEmpty || !fields.isEmpty { endRecord(next: n) }
        return nil
    }
}

extension DelimitedText {
    /// One CSV line (RFC 4180 quoting), without the line end. No cell starts a spreadsheet
    /// formula (see TextRules.csvCell): every CSV Kho writes goes through here.
    public static func line(_ fields: [String]) -> String {
        fields.map(TextRules.csvCell).map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingAll("\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
    }
}
