// Bulk import from a manifest. Rows are checked (values, duplicates, files) and stored in
// chunks, in row order: while the writer stores one chunk, the next is checked on another
// core. A chunk's files are stored in parallel, then its rows commit in one transaction —
// optimistically, and again row by row with savepoints if a row fails — so a row is stored
// whole or not at all. A killed import resumes on re-run: rows already stored are recognised
// (source_id, else the same title and files, else the same registration). A dry run checks
// every row and file and stores nothing.
import Foundation
import GRDB
import KhoCore
import KhoPlatform

extension Archive {
    /// Rows checked at a time (and the most rows one write commits): memory stays flat
    /// however long the manifest.
    static let planChunk = 2048
    /// A write commits at most this much work: a row with files weighs 4, a row without 1
    /// (2,048 rows with files), or this many bytes of files.
    static let chunkWeight = 8192
    static let chunkBytes: Int64 = 512 << 20
    /// Rows without files commit in groups of up to this many, across write chunks: in a large
    /// catalog a transaction costs the index pages it dirties, nearly one per row and index in
    /// 2,048 rows, a fraction of that in 16,384 (Scripts/bench, section catalog). Larger groups
    /// were measured on the 100,000 rows after 900,000 (session of 2026-12-04): the sqlite3 shell
    /// alone goes from 16-18 s to 10-12 s in one transaction, but Kho's rows only from 28.7 s to
    /// 27.0 s (65,536) and 23.6 s (131,072), peaking at 181 and 215 MB against 130 MB: over the
    /// import's 128 MB budget (a group's results were kept for its report, and its rows for a
    /// redo; a redo now plans them again instead: stagedGroupRows).
    static let groupRows = 16384
    /// Into a large catalog, where new products are staged (ImportStage), groups of up to this
    /// many: the moves write each index in fewer, longer passes. A redo plans the joined rows
    /// again from the manifest's kept text (WriteChunkFeed.keep), so a group holds about 170
    /// bytes a row rather than 1 KB. By hand, the last 100,000 of 1,000,000 registrations: with
    /// 16,384, 10.35 10.45 10.03 s; 20,480, 9.24 9.26 9.02 s (peak 127,868 KB while a redo kept
    /// the rows themselves); 32,768, 9.32 9.32 11.83 s against 9.17 10.52 13.40 s for 20,480 in
    /// the same series, peaking at 121,756 KB against 117,268. With product IDs in runs
    /// (ProductIDRuns), alternating: 32,768, 9.55 10.16 s, peak 114,736 KB; 65,536, 9.03 9.04 s,
    /// 122,712 KB; 100,000, 9.25 9.85 s, 129,972 KB (over the budget). Two later series (the
    /// machine slower): 9.74 10.51 s against 10.06 9.91 s for 65,536; and the 100,000 after
    /// 400,000, 8.03 8.69 8.55 s against 7.82 8.17 8.38 s. Not taken: a few percent, within the
    /// noise in one series of three, for twice as long a hold of the write lock (other writers,
    /// the web app's among them, wait for it) and 8 MB less margin under the budget.
    static let stagedGroupRows = 32768
    /// The largest manifest read. While it is parsed its bytes are in memory a few times over
    /// (file, decoded text, 1 MiB blocks); then only the blocks, let go as rows are checked.
    /// A million rows of metadata take about 100 MB.
    static let maxManifestBytes: Int64 = 256 << 20
    /// A chunk's rows are written while its files are flushed only when the last chunk's flush
    /// took less than this (the catalog's write lock is held meanwhile); the first chunk's never.
    static let quickFlush = 1.0

    /// The manifest read and parsed; only the parsed form (its text, once) outlives this.
    private static func readManifest(_ manifest: HostPath, name: String) throws(KhoError) -> ParsedManifest {
        guard let data = FileManager.default.contents(atPath: manifest.description) else {
            throw FS.exists(manifest)
                ? KhoError(.unreadableFile, "\(manifest): cannot read the manifest (permission denied, or a folder)", subject: .file(manifest.description))
                : KhoError(.missingFile, "\(manifest): no such manifest", subject: .file(manifest.description))
        }
        return try ManifestParser.parse([UInt8](data), fileName: name).get()
    }

    public func importManifest(_ manifest: HostPath, options: ImportOptions) throws(KhoError) -> ImportReport {
        let started = clock.uptime()
        if let st = FS.fileStatus(manifest), st.st_size > Self.maxManifestBytes {
            throw KhoError(.malformedManifest, "\(manifest) is \(Formatting.bytes(Int64(st.st_size))); a manifest is at most \(Formatting.bytes(Self.maxManifestBytes)) — split it into several files",
                           subject: .file(manifest.description))
        }
        let name = String(decoding: manifest.lastComponent, as: UTF8.self)
        let parsed = try Self.readManifest(manifest, name: name)
        var report = ImportReport(manifest: manifest.description, format: parsed.format, dryRun: options.dryRun,
                                  results: [], problems: parsed.rowProblems, warnings: parsed.warnings)
        report.keepsResults = options.keepResults || options.dryRun
        let validator = ManifestValidator(products: ProductValidator(languages: registry, cache: ValidationCache(), today: clock.now().vietnamDate), headers: parsed.headers)
        let planner = ImportPlanner(validator: validator, finder: ManifestFiles(base: manifest.parentFolder), manifestName: name,
                                    unreadable: Set(parsed.rowProblems.map(\.row)), config: config, ids: ids, within: options.within, rows: parsed.table.count)
        // Rows that could not be read at all are rejected whatever happens next.
        let unreadable = parsed.rowProblems.filter { !parsed.table.contains(number: $0.row) }
            .map { ImportRowResult(row: $0.row, status: .rejected, productID: nil, sourceID: nil, message: $0.description) }
        let productColumn = parsed.headers[.productID] ?? "product_id"
        if options.dryRun {
            let checked = planner.plan(parsed.rows[...], jobs: options.jobs, prepareAt: nil)
            report.add(unreadable)
            report.add(try dryRunResults(checked, productColumn: productColumn, within: options.within, report: &report))
            report.results.sort { $0.row < $1.row }
            if let path = options.report {
                let file = try ImportResultFile(path)
                try file.append(report.results)
                try file.commit()
                report.reportPath = path.description
            }
        } else {
            let reportPath = options.report ?? HostPath(bytes: manifest.bytes + Array(".result.csv".utf8))
            try store(parsed.table, unreadable: unreadable, planner: planner, manifest: name, productColumn: productColumn, resultPath: reportPath,
                      options: options, report: &report)
        }
        report.sortProblems()
        report.seconds = clock.uptime() - started
        return report
    }

    /// A real import: rows checked a chunk ahead on another core; each write chunk's files
    /// copied while the chunk before is committed (ImportWriter.swift); the result file
    /// written as it goes, then one event for the whole import.
    private func store(_ rows: ManifestRows, unreadable: [ImportRowResult], planner: ImportPlanner, manifest name: String, productColumn: String,
                       resultPath: HostPath, options: ImportOptions, report: inout ImportReport) throws(KhoError) {
        // Free space is checked before each chunk's files are stored.
        try catalog.probeWriteLock()
        let resultFile = try ImportResultFile(resultPath)
        report.reportPath = resultPath.description
        // The result file keeps the manifest's order: each plan chunk's rows are written
        // together, with the unreadable rows that come before its end.
        var unwritten = unreadable.sorted { $0.row < $1.row }[...]
        let damaged = try catalog.read { db in try CatalogReads.damagedBlobs(db) }
        let within = options.within
        let lookups = try catalog.write { db in try ChunkLookups(db, within: within) }
        options.progress?.start(label: "importing", totalBytes: 0, totalItems: rows.count)
        defer { options.progress?.finish() }

        let feed = WriteChunkFeed(rows: rows, planner: planner, planChunk: Self.planChunk, jobs: options.jobs, preparedAt: clock.now())
        let stager = Background<Result<BlobStore.StagedBatch, KhoError>>()
        var timings = ImportTimings()
        var problems = Kept<RowProblem>(), warnings = KeptWarnings()
        // Apart from `timings`: a chunk may be taken while commitChunks holds those.
        var checksWaited = 0.0
        /// The next write chunk. `db`: the write transaction open when a chunk joins a group.
        func nextChunk(_ db: Database?) throws(KhoError) -> WriteChunk? {
            try feed.next(waited: &checksWaited) { (checked) throws(KhoError) in
                try sortOut(checked, productColumn: productColumn, db: db, within: within, problems: &problems, warnings: &warnings)
            }
        }
        func startStaging(_ chunk: WriteChunk?) {
            if let chunk { stager.start { [self] in stageChunk(chunk, jobs: options.jobs, progress: options.progress) } }
        }
        var current: WriteChunk?
        do { current = try nextChunk(nil) } catch {
            feed.drain()
            throw error
        }
        startStaging(current)
        var planResults: [ImportRowResult] = []
        var next: WriteChunk?
        // The chunks committing in one transaction (one, or fileless ones up to groupRows rows):
        // what their results need once it commits.
        var group: [(rejected: [ImportRowResult], endsPlanAt: Int?)] = []
        var groupRows = 0
        let groupLimit = try catalog.read { db in try ImportStage.isWorth(db, from: options.stageFrom) } ? Self.stagedGroupRows : Self.groupRows
        /// Takes the next chunk into the open transaction when it has no files and fits.
        func join(_ db: Database) throws(KhoError) -> WriteChunk? {
            guard let candidate = next, candidate.paths.isEmpty, groupRows + candidate.rows.count <= groupLimit else { return nil }
            _ = stager.wait()   // its staging, which had nothing to copy
            // In the group before the next is taken: if that fails, its rejected rows are still said.
            group.append((candidate.rejected, candidate.endsPlanAt))
            groupRows += candidate.rows.count
            next = nil
            next = try nextChunk(db)
            startStaging(next)
            return candidate
        }
        /// A committed chunk's rows, rejected and stored, in the report and (at the end of its
        /// plan chunk, with the unreadable rows before that end) in the result file.
        func settle(_ rejected: [ImportRowResult], endsPlanAt: Int?, _ stored: [ImportRowResult]) throws(KhoError) {
            for results in [rejected, stored] {
                report.add(results)
                planResults += results
                for _ in results { options.progress?.itemDone() }
            }
            guard let lastRow = endsPlanAt else { return }
            while let next = unwritten.first, next.row <= lastRow {
                report.add([next])
                planResults.append(unwritten.removeFirst())
            }
            try resultFile.append(planResults.sorted { $0.row < $1.row })
            planResults = []
        }
        var sidecarsInPassing = true
        while let chunk = current {
            let started = ContinuousClock.now
            var renewing = 0.0
            // While the chunk's files are still being copied, the products committed so far get
            // their sidecars, a whole batch at a time: work the end of the command would otherwise do
            // alone. A failure here is left to that end.
            while sidecarsInPassing, !chunk.paths.isEmpty, !stager.isDone {
                let begun = ContinuousClock.now
                defer { renewing += (ContinuousClock.now - begun).seconds }
                do {
                    if try renewSidecarBatchInPassing() == 0 { break }
                } catch {
                    logger.debug("product sidecars not renewed during the import: \(error.message)")
                    sidecarsInPassing = false
                }
            }
            let staged = stager.wait()
            timings.sidecars += renewing
            timings.waitingForCopies += (ContinuousClock.now - started).seconds - renewing
            group = [(chunk.rejected, chunk.endsPlanAt)]
            // Every row before this group's is committed: the text from its first row on is
            // kept for a redo of the group.
            if let first = chunk.rows.first { feed.keep(fromRow: first.row.row) }
            groupRows = chunk.rows.count
            // Committed results not yet in the report and result file (all of them once settled).
            var unsettled: [[ImportRowResult]] = []
            do {
                // `next` held this chunk: cleared first, so a failure below waits for no staging.
                next = nil
                next = try nextChunk(nil)
                startStaging(next)
                unsettled = try commitChunks(chunk, staged: staged.get(), join: chunk.paths.isEmpty ? join : nil, replan: feed.replan, manifest: name,
                                             damaged: damaged, lookups: lookups, overlap: (timings.lastFlush ?? .infinity) < Self.quickFlush, stageFrom: options.stageFrom,
                                             timings: &timings, report: &report)
                while let results = unsettled.first {
                    let part = group.removeFirst()
                    unsettled.removeFirst()
                    try settle(part.rejected, endsPlanAt: part.endsPlanAt, results)
                }
            } catch {
                if case .success(let batch) = staged { blobs.discard(batch) }
                if next != nil, case .success(let batch) = stager.wait() { blobs.discard(batch) }
                feed.drain()
                report.addProblems(problems)
                report.warn(warnings)
                // What was stored before the failure is still said in the result file, and
                // the rows found wrong in the chunks not yet settled.
                for (i, part) in group.enumerated() {
                    let results = part.rejected + (i < unsettled.count ? unsettled[i] : [])
                    report.add(results)
                    planResults += results
                }
                try? resultFile.append(planResults.sorted { $0.row < $1.row })
                try? resultFile.commit()
                throw error
            }
            group = []
            current = next
        }
        report.addProblems(problems)
        report.warn(warnings)
        report.add(Array(unwritten))
        try resultFile.append(Array(unwritten))
        try resultFile.commit()
        timings.waitingForChecks = checksWaited
        logger.debug("\(timings.summary)")
        // The import itself, in the archive's log.
        let summary = "import of \(name): \(report.count(.stored)) stored, \(report.count(.updated)) updated, \(report.count(.alreadyPresent)) already present, \(report.count(.rejected)) rejected"
        try catalog.write { db in
            try CatalogWrites.append(db, event(.ingestion, object: "archive", product: nil,
                                               outcome: report.count(.rejected) > 0 ? .warning : .success, detail: summary, at: clock.now()))
        }
        report.results.sort { $0.row < $1.row }
    }

    /// Where the write starting at `start` ends: at most `chunkWeight` of work or `chunkBytes` of files.
    static func chunkEnd(_ valid: [CheckedRow], from start: Int) -> Int {
        var end = start, bytes: Int64 = 0, weight = 0
        while end < valid.count, weight < chunkWeight, bytes < chunkBytes {
            bytes += valid[end].bytes
            weight += valid[end].files.isEmpty ? 1 : 4
            end += 1
        }
        return end
    }

    /// Splits checked rows into the rejected (with their reasons) and the valid; attach rows
    /// naming a product the archive does not hold are rejected here.
    private func sortOut(_ checked: [CheckedRow], productColumn: String, db: Database?, within: Visibility?, problems: inout Kept<RowProblem>,
                         warnings: inout KeptWarnings) throws(KhoError) -> (rejected: [ImportRowResult], valid: [CheckedRow]) {
        var rejected: [ImportRowResult] = []
        var valid: [CheckedRow] = []
        let missing = try missingAttachTargets(checked, db: db, within: within)
        for var c in checked {
            if case .attach(let id, _, _, _)? = c.row.action, missing.contains(id) {
                c.row.problems.append(RowProblem(row: c.row.row, column: productColumn, value: id.description,
                                                 expected: within == nil ? "no product with this ID in the archive" : "no product with this ID in your scope",
                                                 code: .unknownProduct))
                c.row.action = nil
            }
            problems.add(c.row.problems)
            warnings.add(c.row.warnings)
            if c.row.action == nil {
                rejected.append(Self.rejection(c.row).noting(c.row.warnings))
            } else {
                valid.append(c)
            }
        }
        return (rejected, valid)
    }

    /// A rejected row's result: every problem, by column.
    static func rejection(_ row: PlannedRow) -> ImportRowResult {
        ImportRowResult(row: row.row, status: .rejected, productID: nil, sourceID: row.sourceID,
                        message: row.problems.map { "\($0.column): \($0.value.isEmpty ? "(empty)" : "'\(TextRules.visible($0.value))'") — \($0.expected)" }.joined(separator: "; "))
    }

    /// The products attach rows name that the archive does not hold.
    /// `db`: the write transaction open, if any (a read of its own would wait for it).
    /// The attach rows' products that do not exist, or (with a scope) lie outside it: one
    /// answer for both, so an import cannot probe what exists elsewhere.
    private func missingAttachTargets(_ rows: [CheckedRow], db open: Database?, within: Visibility?) throws(KhoError) -> Set<ProductID> {
        let ids = rows.compactMap { row -> ProductID? in
            if case .attach(let id, _, _, _)? = row.row.action { return id }
            return nil
        }
        if ids.isEmpty { return [] }
        func missing(_ db: Database) throws -> Set<ProductID> { Set(try ids.filter { try !Self.mayTouch(db, $0, within) }) }
        guard let open else { return try catalog.read(missing) }
        do { return try missing(open) } catch { throw Catalog.translate(error, path: catalog.path) }
    }

    /// A dry run's verdict on every row: rejected, already present (same source_id), or ok.
    private func dryRunResults(_ checked: [CheckedRow], productColumn: String, within: Visibility?, report: inout ImportReport) throws(KhoError) -> [ImportRowResult] {
        try catalog.read { db in
            var out: [ImportRowResult] = []
            for var c in checked {
                // Each row gets one result below; its warnings go after that result's message.
                defer { out[out.count - 1] = out[out.count - 1].noting(c.row.warnings) }
                if case .attach(let id, _, _, _)? = c.row.action, try !Self.mayTouch(db, id, within) {
                    c.row.problems.append(RowProblem(row: c.row.row, column: productColumn, value: id.description,
                                                     expected: within == nil ? "no product with this ID in the archive" : "no product with this ID in your scope",
                                                     code: .unknownProduct))
                    c.row.action = nil
                }
                report.addProblems(c.row.problems)
                report.warn(c.row.warnings)
                guard let action = c.row.action else {
                    out.append(Self.rejection(c.row))
                    continue
                }
                if let source = c.row.sourceID, let unit = action.metadata?.unit,
                   let id = try String.fetchOne(db, sql: "SELECT p.id FROM product_sources s JOIN products p ON p.pk = s.product_pk WHERE s.unit = ? AND s.source_id = ?", arguments: [unit.value, source]),
                   let known = try? ProductID.parse(id).get() {
                    guard try Self.mayTouch(db, known, within) else {
                        out.append(ImportRowResult(row: c.row.row, status: .rejected, productID: nil, sourceID: source,
                                                   message: "source_id '\(source)' of unit \(unit) is already used by another product; give this row another source_id"))
                        continue
                    }
                    out.append(ImportRowResult(row: c.row.row, status: .alreadyPresent, productID: known,
                                               sourceID: source, message: "already in the archive (same source_id)"))
                } else {
                    out.append(ImportRowResult(row: c.row.row, status: .ok, productID: nil, sourceID: c.row.sourceID, message: describe(action)))
                }
            }
            return out
        }
    }

    /// Whether product `id` exists and an import `within` a user's scope may touch it: the
    /// user sees it and its unit is theirs. Without a scope, whether it exists.
    static func mayTouch(_ db: Database, _ id: ProductID, _ within: Visibility?) throws -> Bool {
        guard let within else { return try CatalogReads.productPK(db, id: id) != nil }
        guard try isVisible(db, id, within), let product = try CatalogReads.product(db, id: id) else { return false }
        return covers(product.metadata, within)
    }
}
