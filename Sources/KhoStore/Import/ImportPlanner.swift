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
    let ids: IdentifierSource
    /// What the importing user may touch: rows for units outside it are refused here.
    let within: Visibility?
    /// Only ever used by one thread at a time: chunks are planned one after another.
    private var duplicates: DuplicateTracker

    init(validator: ManifestValidator, finder: ManifestFiles, manifestName: String, unreadable: Set<Int>, config: ArchiveConfig,
         ids: IdentifierSource, within: Visibility? = nil, rows: Int = 0) {
        self.within = within
        self.config = config
        self.ids = ids
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
            var row = validator.plan(slice[i])
            if unreadable.contains(row.row) { row.action = nil }
            if let within, let m = row.action?.metadata, !Archive.covers(m, within) {
                row.problems.append(RowProblem(row: row.row, column: unitColumn, value: m.unit.value, expected: "a unit of your scope", code: .forbidden))
                row.action = nil
            }
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
            let product = prepareAt.flatMap { Archive.prepare(row, manifest: manifestName, config: config, ids: ids, at: $0) }
            out.append(CheckedRow(row: row, files: files, product: product))
        }
        return out
    }
}
