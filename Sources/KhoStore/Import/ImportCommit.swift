// Committing an import's write chunks. A chunk's files are flushed and published on a thread of
// their own while its rows are written; the rows commit in one transaction once the files are
// durable under their names, optimistically: no savepoints, trusting what the chunk lookups
// know. A row that fails before writing anything is redone alone in a savepoint; one that
// fails half-written makes the whole transaction be redone row by row, each row in a
// savepoint; either way a row is stored whole or not at all. Chunks without files may join
// the transaction of the chunk before (`join`), up to groupRows rows (stagedGroupRows into a
// large catalog); a redo plans the joined chunks' rows again from the manifest's text
// (ImportPlanner.replan), so a group does not hold them meanwhile. The optimistic pass
// stages its new products without files and moves them into the catalog in bulk before the
// commit (ImportStage.swift).
import GRDB
import KhoCore
import KhoPlatform

extension Archive {
    /// Commits `first` and the chunks `join` hands over while the transaction is open; returns
    /// each chunk's row results, in order.
    func commitChunks(_ first: WriteChunk, staged: BlobStore.StagedBatch, join: ((Database) throws(KhoError) -> WriteChunk?)?,
                      replan: @escaping ([Int]) -> [PlannedRow]?,
                      manifest: String, damaged: Set<String>, lookups: ChunkLookups, overlap: Bool, stageFrom: Int64,
                      timings: inout ImportTimings, report: inout ImportReport) throws(KhoError) -> [[ImportRowResult]] {
        if first.rows.isEmpty { return [[]] }
        // The chunk's files are flushed and named on a thread of their own while this one writes
        // the rows (what naming them will find is known beforehand); the transaction commits
        // only once they are, so no committed row ever names bytes that are not durable.
        let stored = blobs.outcomes(staged, damaged: damaged)
        let publication = Publication(blobs, staged, damaged: damaged, foreseen: stored)
        // Unless the disk flushes a chunk quickly (the last one in under a second), the
        // transaction waits for it first: the catalog's write lock is not held through a long
        // flush (other writers, the web app's requests, would wait as long).
        if !overlap { try publication.finish() }
        let started = ContinuousClock.now
        defer {
            try? publication.finish()
            timings.flushAndPublish += publication.waited
            timings.catalog += (ContinuousClock.now - started).seconds - (overlap ? publication.waited : 0)
            if !staged.results.isEmpty { timings.lastFlush = publication.seconds }
        }
        for case .success(let blob) in stored where blob.wasNew || blob.repaired {
            report.bytesStored += blob.size
            if blob.wasNew { report.blobsStored += 1 }
        }
        // Stamped when the write lock is held (below): datestamps follow commits (harvesting).
        var now = clock.now()
        // Bytes the catalog already held whose stored copy was missing or damaged: restored now.
        let restoring = zip(first.paths, stored).compactMap { path, result -> StagedFile? in
            guard case .success(let blob) = result, blob.wasNew || blob.repaired else { return nil }
            return StagedFile(source: path, name: FileName(bytes: path.lastComponent), blob: blob, mediaType: blob.mediaType)
        }
        var restored: [String] = []
        // The joined chunks' row numbers, for a redo of the whole transaction: it plans them
        // again from the manifest's kept text (a group's rows themselves would take about 1 KB
        // a row), and prepares their products again.
        var joined: [[Int]] = []
        func run(savepoints: Bool) throws(KhoError) -> [[(ImportRowResult, RowEffect)]] {
            try catalog.write { db in
                // On a large catalog the optimistic pass stages its new products without files
                // and moves them in bulk before the commit (ImportStage.swift); a redo writes
                // each row itself.
                let stage = savepoints ? nil : try ImportStage.ifWorthIt(db, from: stageFrom)
                now = clock.now()
                // Said before the rows add holders of their own.
                restored = try restorations(db, restoring, at: now)
                var out = [try storeRows(db, first, stored: stored, savepoints: savepoints, manifest: manifest, lookups: lookups, stage: stage, at: now)]
                if savepoints {
                    // A redo stores what the optimistic pass took, row by row.
                    for numbers in joined {
                        guard let rows = replan(numbers) else {
                            throw KhoError(.internal, "manifest rows \(numbers.first ?? 0)–\(numbers.last ?? 0) did not plan again as they did at first; nothing of them was stored")
                        }
                        let chunk = WriteChunk(rows: rows.map { CheckedRow(row: $0, files: [], product: nil) }, rejected: [], endsPlanAt: nil)
                        out.append(try storeRows(db, chunk, stored: [], savepoints: true, manifest: manifest, lookups: lookups, at: now))
                    }
                    try publication.finish()
                    return out
                }
                while let join, let more = try join(db) {
                    joined.append(more.rows.map(\.row.row))
                    out.append(try storeRows(db, more, stored: [], savepoints: false, manifest: manifest, lookups: lookups, stage: stage, at: now))
                }
                try Self.move(stage, db)
                try publication.finish()
                return out
            }
        }
        report.catalogTransactions += 1
        func runOnce() throws(KhoError) -> [[(ImportRowResult, RowEffect)]] {
            do { return try run(savepoints: false) } catch where error.code == .retryChunk {
                report.catalogRedos += 1
                return try run(savepoints: true)
            }
        }
        // A chunk of files is a few thousand rows at most: the small page cache holds its
        // transaction (the 10 GB corpus peaked at 129 MB with the full one).
        let outcomes = try first.paths.isEmpty ? runOnce() : catalog.withSmallWriterCache(runOnce)
        // Within a scope the products holding those bytes may be others' (restricted even): not named.
        report.warn(lookups.within == nil || restored.isEmpty ? restored
            : ["restored the stored bytes of \(restored.count) file(s) already in the archive that were missing or damaged"])
        for (_, effect) in outcomes.joined() {
            switch effect {
            case .newProduct: report.newProducts += 1
            case .registered: report.registered += 1
            case .attached(let n): report.filesAttached += n
            case .updated, .none: break
            }
        }
        return outcomes.map { $0.map(\.0) }
    }

    /// Moves the staged products into the catalog; a move that fails has written part of them,
    /// so the transaction is redone row by row.
    private static func move(_ stage: ImportStage?, _ db: Database) throws {
        do { try stage?.move(db) } catch {
            if let kho = error as? KhoError, kho.category == .environment { throw kho }
            throw KhoError(.retryChunk, "staged products could not be moved; the chunk is stored again row by row", cause: Underlying(error))
        }
    }

    /// Stores one chunk's rows inside the open transaction. Optimistic (no savepoints): the
    /// first failing row throws `retryChunk`. Otherwise each row in a savepoint, and a failing
    /// row is rejected alone.
    private func storeRows(_ db: Database, _ chunk: WriteChunk, stored: [Result<StoredBlob, KhoError>], savepoints: Bool,
                           manifest: String, lookups: ChunkLookups, stage: ImportStage? = nil, at now: Timestamp) throws -> [(ImportRowResult, RowEffect)] {
        if !savepoints { try lookups.load(db, rows: chunk.rows.map(\.row)) }
        var out: [(ImportRowResult, RowEffect)] = []
        for checked in chunk.rows {
            let row = checked.row
            var files: [StagedFile] = []
            var failure: KhoError?
            for f in checked.files {
                switch stored[chunk.index[f.path]!] {
                case .success(let blob):
                    if !files.contains(where: { $0.blob.sha256 == blob.sha256 }) {
                        files.append(StagedFile(source: f.path, name: FileName(bytes: f.path.lastComponent), blob: blob, mediaType: blob.mediaType))
                    }
                case .failure(let error): failure = error
                }
            }
            if let failure {
                out.append((ImportRowResult(row: row.row, status: .rejected, productID: nil, sourceID: row.sourceID, message: failure.message), .none))
                continue
            }
            var product = checked.product
            /// The row in a savepoint of its own, asking the catalog rather than the lookups:
            /// if it fails, it is rejected alone.
            func alone() throws {
                do {
                    var outcome: (ImportRowResult, RowEffect)?
                    try db.inSavepoint {
                        outcome = try importRow(db, row: row, prepared: &product, files: files, manifest: manifest, lookups: lookups, trusted: false, at: now)
                        return .commit
                    }
                    out.append(outcome!)
                } catch {
                    let e = Catalog.translate(error, path: catalog.path)
                    if e.category == .environment { throw e }
                    out.append((ImportRowResult(row: row.row, status: .rejected, productID: nil, sourceID: row.sourceID, message: e.message), .none))
                }
            }
            if savepoints {
                try alone()
                continue
            }
            let changes = db.totalChangesCount, moved = stage?.movedChanges ?? 0
            do { out.append(try importRow(db, row: row, prepared: &product, files: files, manifest: manifest, lookups: lookups, trusted: true, stage: stage, at: now)) } catch {
                // A row's checks come before its writes (importRow): a row that failed having
                // written nothing (a move of the stage it caused aside) is redone alone. One that
                // failed half-written undoes the whole transaction, which is redone row by row.
                guard db.totalChangesCount - ((stage?.movedChanges ?? 0) - moved) == changes else {
                    throw KhoError(.retryChunk, "a row of the chunk failed; the chunk is stored again row by row", cause: Underlying(error))
                }
                // Alone, the row writes itself: what is staged goes first.
                try Self.move(stage, db)
                try alone()
            }
        }
        // One result a row, in order: each with the row's warnings after its message.
        return zip(chunk.rows, out).map { checked, result in (result.0.noting(checked.row.warnings), result.1) }
    }
}

/// A chunk's staged files being flushed and named (`BlobStore.publishEach`) on a thread of
/// their own. Used from one thread.
private final class Publication {
    private let work = Background<(failure: KhoError?, seconds: Double)>()
    /// Set once waited for: the failure, if any.
    private var outcome: KhoError??
    /// Seconds spent waiting for it.
    private(set) var waited = 0.0
    /// Seconds the flush and the renames took.
    private(set) var seconds = 0.0

    init(_ blobs: BlobStore, _ batch: BlobStore.StagedBatch, damaged: Set<String>, foreseen: [Result<StoredBlob, KhoError>]) {
        if batch.results.isEmpty {
            outcome = .some(nil)
            return
        }
        work.startAlone {
            let started = ContinuousClock.now
            do throws(KhoError) {
                try blobs.publishEach(batch, damaged: damaged, foreseen: foreseen)
                return (nil, (ContinuousClock.now - started).seconds)
            } catch { return (error, (ContinuousClock.now - started).seconds) }
        }
    }

    /// Waits until the files are durable under their names (once); throws what went wrong.
    func finish() throws(KhoError) {
        if outcome == nil {
            let started = ContinuousClock.now
            let (failure, took) = work.wait()
            outcome = .some(failure)
            seconds = took
            waited = (ContinuousClock.now - started).seconds
        }
        if let failure = outcome! { throw failure }
    }
}
