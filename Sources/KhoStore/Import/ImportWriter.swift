// The write side of an import. Valid rows go out in write chunks; each chunk's files are
// copied and hashed into the temporary area on a background thread while the chunk before
// it is flushed and published (on a thread of its own) and committed on this one, so copying
// (on both cores) overlaps the disk's flush and the catalog's transaction (ImportCommit.swift);
// while this one waits for a chunk's copies, the products committed so far get their sidecars. The order of durability is unchanged:
// a chunk's files are flushed before they take their names, and named and flushed again
// before the catalog transaction that refers to them commits.
import Foundation
import GRDB
import KhoCore
import KhoPlatform

extension Archive {
    /// Valid rows whose files are stored and whose rows commit together.
    struct WriteChunk: Sendable {
        var rows: [CheckedRow]
        /// Each distinct file once, in first-use order, and where each path is in `paths`.
        var paths: [HostPath] = []
        var index: [HostPath: Int] = [:]
        var bytes: Int64 = 0
        /// The rejected rows of the plan chunk this write chunk starts (empty if it does not).
        var rejected: [ImportRowResult]
        /// The last manifest row of its plan chunk, when this write chunk ends one.
        var endsPlanAt: Int?

        /// The manifest rows the chunk stores, for messages: "manifest rows 2–601" (rows are in
        /// manifest order; rejected rows between them are not stored).
        var rowSpan: String {
            guard let first = rows.first?.row.row, let last = rows.last?.row.row else { return "the next rows" }
            return first == last ? "manifest row \(first)" : "manifest rows \(first)–\(last)"
        }

        init(rows: [CheckedRow], rejected: [ImportRowResult], endsPlanAt: Int?) {
            self.rows = rows
            self.rejected = rejected
            self.endsPlanAt = endsPlanAt
            for row in rows {
                for f in row.files where index[f.path] == nil {
                    index[f.path] = paths.count
                    paths.append(f.path)
                    bytes += f.size
                }
            }
        }
    }

    /// Time spent in each part of a real import, for `KHO_LOG_LEVEL=debug`.
    struct ImportTimings {
        var waitingForChecks = 0.0
        var waitingForCopies = 0.0
        var flushAndPublish = 0.0
        var catalog = 0.0
        /// Product sidecars written while waiting for file copies.
        var sidecars = 0.0
        /// Seconds the last chunk's flush and renames took (nil before the first).
        var lastFlush: Double?

        var summary: String {
            String(format: "import timings: waiting for row checks %.2f s, for file copies %.2f s, writing product sidecars meanwhile %.2f s; flushing and naming files %.2f s; catalog %.2f s",
                   waitingForChecks, waitingForCopies, sidecars, flushAndPublish, catalog)
        }
    }

    /// Copies a chunk's files into the temporary area (on a background thread). A chunk
    /// without files copies nothing, but its products' sidecars still need room.
    func stageChunk(_ chunk: WriteChunk, jobs: Int, progress: (any ProgressReporter)?) -> Result<BlobStore.StagedBatch, KhoError> {
        do throws(KhoError) {
            let room = FS.room(root)
            let rows = chunk.rowSpan
            if chunk.paths.isEmpty {
                try Self.checkFileRoom(room?.files, blobs: 0, sidecars: chunk.rows.count, what: rows)
                return .success(BlobStore.StagedBatch(results: [], fileSystem: nil))
            }
            if let free = room?.bytes, chunk.bytes + (64 << 20) > free {
                throw KhoError(.diskFull, "\(rows)' files need \(Formatting.bytes(chunk.bytes)) but the archive's disk has \(Formatting.bytes(free)) free; nothing more was stored")
            }
            try Self.checkFileRoom(room?.files, blobs: chunk.paths.count, sidecars: chunk.rows.count, what: "\(rows)' files")
            return .success(try blobs.stageEach(chunk.paths, jobs: jobs, progress: progress.map { BytesOnlyProgress(inner: $0) }))
        } catch {
            return .failure(error)
        }
    }

    /// Each blob stored and each product written takes one of the file system's inodes (the
    /// blob's file, the product's sidecar), with some to spare for the catalog and temporary
    /// files: a disk with bytes free but no inodes left (`df -h` does not show it) is said
    /// before anything is written. `free`: the inodes left (nil where the file system keeps no count).
    static func checkFileRoom(_ free: Int64?, blobs: Int, sidecars: Int, what: String) throws(KhoError) {
        guard let free else { return }
        let files = blobs + sidecars
        if Int64(files) + 1024 > free {
            throw KhoError(.diskFull, "\(what) need room for \(files) new files (\(blobs) blob(s), \(sidecars) product sidecar(s)) and some to spare, but the archive's file system has room for only \(free) more: its inodes are nearly all used (`df -i` shows them) even if bytes are free; remove files or move the archive to a file system made with more inodes, nothing more was stored")
        }
    }
}

/// Hands out write chunks in manifest order: rows are checked a plan chunk ahead on another
/// core; each plan chunk's valid rows are cut into write chunks of bounded work.
final class WriteChunkFeed {
    private let rows: ManifestRows
    private let planner: ImportPlanner
    private let ranges: [Range<Int>]
    private let preparedAt: Timestamp
    private let pipeline = Background<[CheckedRow]>()
    private var taken = 0
    private var valid: [CheckedRow] = []
    private var start = 0
    private var rejected: [ImportRowResult] = []
    private var lastRow = 0
    private var planFinished = true
    /// The first row (index) whose text is kept: the open group's, which a redo plans again.
    private var keptFrom = 0

    init(rows: ManifestRows, planner: ImportPlanner, planChunk: Int, jobs: Int, preparedAt: Timestamp) {
        self.rows = rows
        self.planner = planner
        self.preparedAt = preparedAt
        ranges = stride(from: 0, to: rows.count, by: planChunk).map { $0..<min($0 + planChunk, rows.count) }
        if let first = ranges.first { pipeline.start { [rows] in planner.plan(rows[first][...], jobs: jobs, prepareAt: preparedAt) } }
    }

    /// The next write chunk, or nil at the end. `sortOut` splits a plan chunk's checked rows
    /// into rejected results and valid rows. `waited` gets the seconds spent waiting for checks.
    func next(waited: inout Double, sortOut: ([CheckedRow]) throws(KhoError) -> (rejected: [ImportRowResult], valid: [CheckedRow])) throws(KhoError) -> Archive.WriteChunk? {
        if planFinished {
            guard taken < ranges.count else { return nil }
            let started = ContinuousClock.now
            let checked = pipeline.wait()
            waited += (ContinuousClock.now - started).seconds
            let range = ranges[taken]
            taken += 1
            if taken < ranges.count {
                let next = ranges[taken]
                // Nothing before this range is read again, unless a redo of the open group plans
                // its rows again: the text before both can go.
                let release = min(next.lowerBound, keptFrom)
                pipeline.start { [rows, planner, preparedAt] in
                    let slice = rows[next]
                    rows.release(before: release)
                    return planner.plan(slice[...], jobs: 1, prepareAt: preparedAt)
                }
            }
            (rejected, valid) = try sortOut(checked)
            start = 0
            lastRow = rows.number(at: range.upperBound - 1)
            planFinished = false
        }
        let end = Archive.chunkEnd(valid, from: start)
        let chunk = Archive.WriteChunk(rows: Array(valid[start..<end]), rejected: rejected, endsPlanAt: end == valid.count ? lastRow : nil)
        start = end
        rejected = []
        planFinished = end == valid.count
        return chunk
    }

    /// A group begins at manifest row `number`: the text from there on is kept until the next
    /// group begins (every row before it is committed by then).
    func keep(fromRow number: Int) {
        if let index = rows.index(ofNumber: number) { keptFrom = index }
    }

    /// Rows of the open group planned again from the kept text (ImportPlanner.replan).
    func replan(_ numbers: [Int]) -> [PlannedRow]? { planner.replan(numbers, from: rows) }

    /// Waits for checks still running (after a failure), so no thread outlives the import.
    func drain() {
        if taken < ranges.count { _ = pipeline.wait() }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
