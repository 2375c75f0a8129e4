// Turns manifest rows into checked rows, a chunk at a time and in row order: validation
// (pure, in parallel), duplicates of earlier rows, files on disk, and the products to create.
import KhoCore
import KhoPlatform

struct CheckedRow: Sendable {
    var row: PlannedRow
    var files: [ResolvedFile]
    /// The product a new-product row will create (nil for attach rows and rejected rows).
    var product: PreparedProduct?
    var bytes: Int64 { files.reduce(0) { $0 + $1.size } }
}

final class ImportPlanner: @unchecked Sendable {
    let validator: ManifestValidator
    let finder: ManifestFiles
    let manifestName: String
    let unreadable: Set<Int>
    let filesColumn: String
    let config: ArchiveConfig
    let ids: ImportIDs
    /// What the importing user may touch: rows for units outside it are refused here.
    let within: Visibility?
    /// Only ever used by one thread at a time: chunks are planned one after another.
    private var duplicates: DuplicateTracker

    init(validator: ManifestValidator, finder: ManifestFiles, manifestName: String, unreadable: Set<Int>, config: ArchiveConfig,
         ids: IdentifierSource, within: Visibility? = nil, rows: Int = 0) {
        self.within = within
        self.config = config
        self.ids = ImportIDs(ids)
        self.validator = validator
        self.finder = finder
        self.manifestName = manifestName
        self.unreadable = unreadable
        filesColumn = validator.headers[.files] ?? "files"
        duplicates = DuplicateTracker(validator: validator, rows: rows)
    }

    /// Plans `rows` (the next ones in order). `prepareAt` set: also prepares the products to create.
    func plan(_ rows: ArraySlice<ManifestRow>, jobs: Int, prepareAt: Timestamp?) -> [CheckedRow] {
        let slice = Array(rows)
        let validator = self.validator, finder = self.finder, unreadable = self.unreadable, within = self.within
        let unitColumn = validator.headers[.unit] ?? "unit"
        var planned = (try? Parallel.map(count: slice.count, jobs: jobs) { i, _ -> (PlannedRow, [Result<ResolvedFile, Problem>]) in
            let row = Self.check(slice[i], validator, unreadable: unreadable, within: within, unitColumn: unitColumn)
            return (row, (row.action?.files ?? []).map { finder.resolve($0) })
        }) ?? []
        var out: [CheckedRow] = []
        out.reserveCapacity(planned.count)
        for i in planned.indices {
            duplicates.check(&planned[i].0)
            var row = planned[i].0
            var files: [ResolvedFile] = []
            if row.action != nil {
                for lookup in planned[i].1 {
                    switch lookup {
                    case .success(let file):
                        files.append(file)
                        if let note = file.note { row.warnings.append("row \(row.row): \(note)") }
                    case .failure(let p):
                        row.problems.append(RowProblem(row: row.row, p, column: filesColumn))
                    }
                }
                if !row.problems.isEmpty { row.action = nil; files = [] }
            }
            let product = prepareAt.flatMap { Archive.prepare(row, manifest: manifestName, config: config, newID: ids.id, at: $0) }
            out.append(CheckedRow(row: row, files: files, product: product))
        }
        return out
    }

    /// A row's values checked (not its files, nor whether it repeats an earlier row).
    private static func check(_ manifestRow: ManifestRow, _ validator: ManifestValidator, unreadable: Set<Int>, within: Visibility?,
                              unitColumn: String) -> PlannedRow {
        var row = validator.plan(manifestRow)
        if unreadable.contains(row.row) { row.action = nil }
        if let within, let m = row.action?.metadata, !Archive.covers(m, within) {
            row.problems.append(RowProblem(row: row.row, column: unitColumn, value: m.unit.value, expected: "a unit of your scope", code: .forbidden))
            row.action = nil
        }
        return row
    }

    /// The rows with these numbers (in order; rows without files that were planned valid before)
    /// planned again from the manifest's text, for a redo that no longer holds them: the same
    /// checks give the same rows, and a row already checked against the earlier ones is not
    /// checked for repeats again. Nil if one of them no longer plans as it did (never expected).
    func replan(_ numbers: [Int], from rows: ManifestRows) -> [PlannedRow]? {
        guard let first = numbers.first, let last = numbers.last, let low = rows.index(ofNumber: first),
              let high = rows.index(ofNumber: last) else { return numbers.isEmpty ? [] : nil }
        let wanted = Set(numbers)
        let unitColumn = validator.headers[.unit] ?? "unit"
        let again = rows[low..<(high + 1)].filter { wanted.contains($0.row) }
            .map { Self.check($0, validator, unreadable: unreadable, within: within, unitColumn: unitColumn) }
        guard again.count == numbers.count, again.allSatisfy({ $0.action != nil && $0.action?.files.isEmpty == true }) else { return nil }
        return again
    }
}

/// New product IDs of one import: a public product's from the import's runs, any other's fully
/// random (ProductIDRuns.swift says why).
struct ImportIDs: Sendable {
    let ids: IdentifierSource
    let run: ProductIDRun

    init(_ ids: IdentifierSource) {
        self.ids = ids
        run = ProductIDRun(ids)
    }

    func id(for metadata: ProductMetadata) -> ProductID { metadata.access == .public ? run.next() : ids.productID() }
}
