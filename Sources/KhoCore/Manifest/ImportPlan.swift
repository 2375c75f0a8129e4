// What each manifest row asks for, validated without touching the disk: new born-digital
// products, physical products (with or without their scans), files for existing products.

public enum ImportAction: Sendable, Equatable {
    /// A born-digital product with its master files.
    case ingest(ProductMetadata, files: [String])
    /// A physical product, not yet digitized.
    case register(ProductMetadata, carrier: Carrier)
    /// A physical product together with its digitized masters.
    case digitized(ProductMetadata, carrier: Carrier, files: [String], on: CalendarDate?, method: DigitizationMethod?)
    /// Files (digitized masters) for a product already in the archive.
    case attach(ProductID, files: [String], on: CalendarDate?, method: DigitizationMethod?)

    public var files: [String] {
        switch self {
        case .ingest(_, let f), .digitized(_, _, let f, _, _), .attach(_, let f, _, _): f
        case .register: []
        }
    }

    public var metadata: ProductMetadata? {
        switch self {
        case .ingest(let m, _), .register(let m, _), .digitized(let m, _, _, _, _): m
        case .attach: nil
        }
    }
}

public struct PlannedRow: Sendable {
    public var row: Int
    public var sourceID: String?
    /// nil when the row has problems.
    public var action: ImportAction?
    public var problems: [RowProblem]
    public var warnings: [String]
    /// The metadata the row gives (its non-empty cells), for a re-run to compare with what is stored.
    public var given: ProductInput?
}

public struct ManifestValidator: Sendable {
    public var products: ProductValidator
    /// Each column's header as written, for messages.
    public var headers: [ManifestColumn: String]

    public init(products: ProductValidator = ProductValidator(cache: ValidationCache()), headers: [ManifestColumn: String] = [:]) {
        self.products = products
        self.headers = headers
    }

    func name(_ column: ManifestColumn) -> String { headers[column] ?? column.rawValue }

    static let fieldColumns: [String: ManifestColumn] = [
        "title": .title, "kind": .kind, "language": .languages, "unit": .unit, "produced": .produced,
        "published": .published, "channel": .channels, "access": .access, "topic": .topics, "campaign": .campaign,
        "creator": .creator, "description": .description,
    ]

    /// What checking a row found: its problems (each by column) and warnings.
    struct RowNotes {
        let row: Int
        let names: (ManifestColumn) -> String
        var problems: [RowProblem] = []
        var warnings: [String] = []

        mutating func problem(_ column: ManifestColumn, _ value: String, _ expected: String, _ code: ErrorCode) {
            problems.append(RowProblem(row: row, column: names(column), value: value, expected: expected, code: code))
        }

        mutating func warn(_ text: String) { warnings.append("row \(row): \(text)") }
    }

    public func plan(_ row: ManifestRow) -> PlannedRow {
        var notes = RowNotes(row: row.row, names: name)
        let sourceID = row[.sourceID].map { TextRules.oneLine(VietnameseText.nfc($0)).text }
        if let s = sourceID, s.count > 200 { notes.problem(.sourceID, String(s.prefix(40)) + "…", "at most 200 characters", .sourceIdTooLong) }
        if let s = sourceID, TextRules.hasControl(s) { notes.problem(.sourceID, s, "text without control characters (ESC, BEL, NUL…)", .controlCharacters) }

        var files: [String] = []
        for raw in (row[.files] ?? "").split(separator: "|") {
            let path = String(raw).trimmingWhitespace()
            if path.isEmpty { continue }
            switch Self.relativePath(path) {
            case .success(let clean): files.append(clean)
            case .failure(let p): notes.problem(.files, path, p.expected, p.code)
            }
        }
        var digitizedOn: CalendarDate?
        if let text = row[.digitized] {
            switch CalendarDate.parse(text) {
            case .success(let d): digitizedOn = d
            case .failure(let p): notes.problem(.digitized, text, p.expected, p.code)
            }
        }
        var method: DigitizationMethod?
        if let text = row[.method] {
            method = DigitizationMethod.parse(text)
            if method == nil { notes.problem(.method, text, "one of scan, photograph, transfer", .unknownMethod) }
        }

        var action: ImportAction?
        if let idText = row[.productID] {
            switch ProductID.parse(idText) {
            case .failure(let p): notes.problem(.productID, idText, p.expected, p.code)
            case .success(let id):
                if files.isEmpty && row[.files] == nil {
                    notes.problem(.files, "", "a row with a product_id attaches files to that product: give the files", .missingFile)
                }
                let described = [ManifestColumn.title, .kind, .languages, .unit, .produced, .published, .channels, .topics, .campaign,
                                 .description, .creator, .access].filter { row[$0] != nil }
                if !described.isEmpty {
                    notes.warn("\(described.map(name).joined(separator: ", ")) ignored: a row with a product_id only attaches files")
                }
                action = .attach(id, files: files, on: digitizedOn, method: method)
            }
        } else {
            action = newProduct(row, files: files, digitizedOn: digitizedOn, method: method, notes: &notes)
        }
        return PlannedRow(row: row.row, sourceID: sourceID, action: notes.problems.isEmpty ? action : nil, problems: notes.problems,
                          warnings: notes.warnings, given: row[.productID] == nil ? Self.input(row) : nil)
    }

    /// What the row's cells say of the product's metadata.
    static func input(_ row: ManifestRow) -> ProductInput {
        ProductInput(title: row[.title], kind: row[.kind], languages: row[.languages].map { [$0] } ?? [],
                     unit: row[.unit], produced: row[.produced], published: row[.published],
                     channels: row[.channels].map { [$0] } ?? [], topics: row[.topics].map { [$0] } ?? [],
                     campaign: row[.campaign], description: row.cells[.description], creator: row[.creator], access: row[.access])
    }

    /// A row without a product_id: a born-digital product (files), a physical one with its
    /// scans (files and a carrier), or a registration (no files).
    private func newProduct(_ row: ManifestRow, files: [String], digitizedOn: CalendarDate?, method: DigitizationMethod?,
                            notes: inout RowNotes) -> ImportAction? {
        let input = Self.input(row)
        var carrier: Carrier?
        if let text = row[.carrier] {
            carrier = Carrier.parse(text)
            if carrier == nil {
                notes.problem(.carrier, text, "one of \(Carrier.allCases.map(\.rawValue).joined(separator: ", "))", .unknownCarrier)
            }
        }
        let m: ProductMetadata
        switch products.validate(input) {
        case .failure(let failure):
            for p in failure.problems {
                notes.problems.append(RowProblem(row: row.row, p, column: Self.fieldColumns[p.field].map(name) ?? p.field))
            }
            return nil
        case .success(let validated):
            validated.warnings.forEach { notes.warn($0) }
            m = validated.value
        }
        if files.isEmpty {
            if row[.files] != nil { notes.problem(.files, row[.files] ?? "", "no usable file path", .missingFile) }
            if digitizedOn != nil || method != nil { notes.warn("\(name(.digitized))/\(name(.method)) ignored: the row has no files") }
            return .register(m, carrier: carrier ?? Carrier.typical(for: m.kind))
        }
        if let carrier { return .digitized(m, carrier: carrier, files: files, on: digitizedOn, method: method) }
        if digitizedOn != nil || method != nil {
            notes.warn("\(name(.digitized))/\(name(.method)) ignored: without a \(name(.carrier)) the product is born digital")
        }
        return .ingest(m, files: files)
    }

    /// Marks later rows that repeat an earlier one: the same source_id (within a unit), or the
    /// same product and files.
    public func markDuplicates(_ rows: inout [PlannedRow]) {
        var tracker = DuplicateTracker(validator: self, rows: rows.count)
        for i in rows.indices { tracker.check(&rows[i]) }
    }

    /// What makes two rows the same product: the product (or the ID attached to) and the files.
    struct Signature: Hashable {
        var title: TitleBytes
        var kind: ProductKind?
        var unit: String
        var produced: CalendarDate?
        var published: CalendarDate?
        var files: [String]
    }

    static func signature(_ action: ImportAction) -> Signature {
        let files = action.files.count > 1 ? action.files.sorted() : action.files
        switch action {
        case .attach(let id, _, _, _):
            return Signature(title: TitleBytes(id.description), kind: nil, unit: "", produced: nil, published: nil, files: files)
        case .ingest(let m, _), .register(let m, _), .digitized(let m, _, _, _, _):
            return Signature(title: TitleBytes(m.title), kind: m.kind, unit: m.unit.value, produced: m.produced, published: m.published, files: files)
        }
    }

    /// A path relative to the manifest's folder, with `/` separators, that stays inside it.
    public static func relativePath(_ text: String) -> Result<String, Problem> {
        let path = text.replacingAll("\\", with: "/")
        func fail(_ expected: String, _ code: ErrorCode) -> Result<String, Problem> {
            .failure(Problem(code: code, field: "files", value: text, expected: expected))
        }
        let isDriveLetter = path.dropFirst().first == ":" && path.first!.isLetter
        if path.utf8.first == UInt8(ascii: "/") || isDriveLetter {
            return fail("an absolute path; file paths are relative to the manifest's folder (e.g. anh/poster.jpg)", .absolutePath)
        }
        // Split on the byte, as the file system does (a "/" followed by a combining mark is one
        // character, and would hide a ".." from a split by characters).
        var parts: [String] = []
        for part in path.utf8.split(separator: 0x2F).map({ String(decoding: $0, as: UTF8.self) }) {
            if part == "." { continue }
            if part == ".." {
                if parts.isEmpty { return fail("the path leaves the manifest's folder; files must be inside it", .pathEscapesFolder) }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        if parts.isEmpty { return fail("not a file path", .missingFile) }
        return .success(parts.joined(separator: "/"))
    }
}

/// Remembers the rows seen so far, so a later row that repeats one is marked; works chunk by
/// chunk as long as rows come in order. Each row is remembered by 128-bit digests of its keys,
/// not the keys themselves, in one table for both kinds of key (FirstRows): a manifest of
/// 100,000 rows costs about ten megabytes.
public struct DuplicateTracker: Sendable {
    struct SourceKey: Hashable { var unit: String; var source: String }
    /// A key of either kind, told apart in the one table.
    struct Kinded<Key: Hashable>: Hashable { var kind: UInt8; var key: Key }
    let validator: ManifestValidator
    private var seen: FirstRows

    /// `rows`: how many rows the manifest has (two keys each are remembered).
    public init(validator: ManifestValidator, rows: Int = 0) {
        self.validator = validator
        seen = FirstRows(expected: 2 * rows)
    }

    public mutating func check(_ row: inout PlannedRow) {
        guard let action = row.action else { return }
        if let source = row.sourceID {
            let key = SourceKey(unit: action.metadata?.unit.value ?? "", source: source)
            if let first = seen.first(KeyDigest(Kinded(kind: 1, key: key)), seenAt: row.row) {
                row.problems.append(RowProblem(row: row.row, column: validator.name(.sourceID), value: source,
                                               expected: "duplicate row: row \(first) has the same \(validator.name(.sourceID))", code: .duplicateRow))
                row.action = nil
                return
            }
        }
        if let first = seen.first(KeyDigest(Kinded(kind: 2, key: ManifestValidator.signature(action))), seenAt: row.row) {
            row.problems.append(RowProblem(row: row.row, column: "(row)", value: row.sourceID ?? "",
                                           expected: "duplicate row: the same product and files as row \(first)", code: .duplicateRow))
            row.action = nil
            return
        }
    }
}

/// 128 bits standing for a key within this process: two hashes of it under different
/// prefixes (Swift's hasher is keyed at random per process). Two different keys share a digest
/// with a chance of about 2^-128 per pair.
public struct KeyDigest: Hashable, Sendable {
    public let high: Int
    public let low: Int

    init(high: Int, low: Int) {
        self.high = high
        self.low = low
    }

    public init(_ key: some Hashable) {
        var first = Hasher(), second = Hasher()
        first.combine(0x6B686F_31)
        second.combine(0x6B686F_32)
        first.combine(key)
        second.combine(key)
        high = first.finalize()
        low = second.finalize()
    }
}
