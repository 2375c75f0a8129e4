// The steps of a catalog rebuild (see CatalogRebuild.swift): blobs the archive lacks, the new
// catalog product by product (each in a savepoint: a sidecar that does not fit is named and
// left out, the rest goes on), and the swap.
import Foundation
import GRDB
import Glibc
import KhoCore
import KhoPlatform

extension Archive {
    static func copyMissingBlobs(_ files: [(sha256: String, size: Int64)], from: HostPath, into store: BlobStore,
                                 fetch: (((sha256: String, size: Int64), BlobStore) throws(KhoError) -> String)?, report: inout CatalogRebuildReport,
                                 progress: (any ProgressReporter)?) throws(KhoError) {
        var seen = Set<String>()
        let wanted = files.filter { seen.insert($0.sha256).inserted && !store.contains($0.sha256, size: $0.size) }
        guard !wanted.isEmpty else { return }
        let source = BlobStore(root: from.appending("blobs/sha256"), tempRoot: from.appending("tmp"))
        progress?.start(label: "copying blobs the archive lacks", totalBytes: wanted.reduce(0) { $0 + $1.size }, totalItems: wanted.count)
        defer { progress?.finish() }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: BlobStore.chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        for file in wanted {
            defer { progress?.itemDone() }
            let outcome: String
            if let fetch {
                outcome = try fetch((file.sha256, file.size), store)
            } else {
                outcome = try copyIn((file.sha256, file.size), from: source.path(for: file.sha256), into: store, buffer: buffer, progress: progress)
            }
            if outcome == "restored" {
                report.blobsCopied += 1
            } else {
                report.blobsMissing.append(file.sha256)
            }
        }
    }

    /// `naming`: where each sidecar will be once the catalog is in place (what its row says).
    /// `packs`: the archive's own packs (number, members), each listed in the new catalog.
    static func buildCatalog(at path: HostPath, _ sidecars: [SidecarPlace], naming: [SidecarPlace], packs: [(number: Int64, members: Int)],
                             format: any SidecarFormat, config: ArchiveConfig, agent: String,
                             environment: ArchiveEnvironment, report: inout CatalogRebuildReport, progress: (any ProgressReporter)?) throws(KhoError) {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA page_size = 16384") }
        do {
            let queue = try DatabaseQueue(path: path.description, configuration: configuration)
            try CatalogSchema.migrator.migrate(queue)
            // Made whole before anyone sees it, and flushed once at the end.
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
            progress?.start(label: "rebuilding the catalog", totalBytes: 0, totalItems: sidecars.count)
            for range in stride(from: 0, to: sidecars.count, by: 1024).map({ $0..<min($0 + 1024, sidecars.count) }) {
                let chunk = Array(sidecars[range])
                let decoded = try Parallel.map(count: chunk.count, jobs: Parallel.defaultJobs) { i, _ in readSidecar(chunk[i], format: format) }
                try queue.write { db in
                    for (place, (path, result)) in zip(naming[range], zip(chunk, decoded)) {
                        progress?.itemDone()
                        guard case .success(let content) = result else {
                            if case .failure(let problem) = result { report.unusable.append("\(path): \(problem.message) (changed while the rebuild read it)") }
                            continue
                        }
                        do {
                            try db.inSavepoint {
                                try CatalogWrites.restore(db, content, sidecar: place, config: config)
                                return .commit
                            }
                            report.products += 1
                            report.files += content.product.files.count
                            report.events += content.events.count
                        } catch {
                            report.unusable.append("\(path): product \(content.product.id) does not fit the others (\(error)); left out")
                        }
                    }
                }
            }
            progress?.finish()
            let now = environment.clock.now()
            try queue.write { db in
                _ = try CatalogWrites.recomputeFlags(db, config: config)
                // The documents are the sidecars just read: none is due.
                try db.execute(sql: "DELETE FROM sidecar_due")
                // The archive's packs, with the members each holds (the sequence of pack numbers
                // moves past the highest).
                for pack in packs {
                    try db.execute(sql: "INSERT INTO sidecar_packs (pk, members) VALUES (?, ?)", arguments: [pack.number, max(1, pack.members)])
                }
                try CatalogWrites.append(db, PreservationEvent(at: now, type: .repair, object: "archive", productID: nil, agent: agent, outcome: .success,
                                                               detail: "catalog rebuilt from \(report.sidecarsRead) sidecar(s): \(report.products) product(s), "
                                                                   + "\(report.files) file(s), \(report.events) event(s); \(report.unusable.count) unusable"))
            }
            try queue.close()
        } catch {
            throw KhoError(.ioError, "building the new catalog failed (the old one, if any, is untouched): \(error)")
        }
        try FileDescriptor.open(path, flags: O_RDONLY | O_NOFOLLOW, doing: "flushing the rebuilt catalog").sync()
    }

    /// The old catalog (checkpointed first where it opens, so it is whole on its own) aside, the
    /// new one in its place; returns where the old one went.
    static func swapCatalog(_ fresh: HostPath, into root: HostPath, at now: Timestamp) throws(KhoError) -> String? {
        let target = root.appending("catalog.sqlite")
        let aside = "catalog.sqlite.before-rebuild-" + now.iso.replacingOccurrences(of: ":", with: "-")
        var previous: String?
        if FS.exists(target), let old = try? DatabaseQueue(path: target.description) {
            try? old.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            try? old.close()
        }
        // The log first, whether or not its catalog is still there (a log left beside the new
        // catalog would be replayed into it): a kill between leaves the old catalog whole.
        for suffix in ["-wal", "-shm", ""] where FS.fileStatus(HostPath(target.description + suffix)) != nil {
            try FS.rename(HostPath(target.description + suffix), root.appending(aside + suffix))
            if suffix.isEmpty { previous = root.appending(aside).description }
        }
        try FS.rename(fresh, target)
        try FS.syncDirectory(root)
        return previous
    }

    /// How many products the catalog at `path` holds; nil when it cannot be read.
    static func productCount(_ path: HostPath) -> Int? {
        guard FS.fileStatus(path) != nil else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path.description, configuration: configuration) else { return nil }
        defer { try? queue.close() }
        return try? queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM products") }
    }
}

extension CatalogWrites {
    /// A product as its sidecar holds it: its row key, times, files, events (with their
    /// numbers), links and the sidecar that is current.
    static func restore(_ db: Database, _ c: SidecarContent, sidecar: SidecarPlace, config: ArchiveConfig) throws {
        let p = c.product, m = p.metadata, d = p.digitization
        let prepared = PreparedProduct(id: p.id, metadata: m, digitization: d, detail: "", config: config)
        try db.cachedStatement(sql: """
            INSERT INTO products (pk, id, title, title_sort, kind, unit, produced, published, reference_date, campaign,
                description, creator, access, origin, carrier, digitized_on, digitization_method, digitized,
                created_at, updated_at, languages, channels, topics, digital, title_key, minority, foreign_language, unit_era, province_now,
                home_archive, shown, withdrawn)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                c.key, p.id.description, m.title, Data(prepared.titleSort), m.kind.rawValue, m.unit.value, prepared.produced, prepared.published,
                prepared.referenceDate, m.campaign, m.description, m.creator, m.access.rawValue, d.origin.rawValue, d.carrier?.rawValue,
                prepared.digitizedOn, d.method?.rawValue, p.isDigitized ? 1 : 0, p.createdAt.iso, p.updatedAt.iso, prepared.languagesJSON,
                prepared.channelsJSON, prepared.topicsJSON, prepared.flags.digital ? 1 : 0, prepared.titleKey, prepared.flags.minority ? 1 : 0,
                prepared.flags.foreign ? 1 : 0, prepared.flags.unitEra, prepared.flags.provinceNow, p.homeArchive, c.shown, c.withdrawn ? 1 : 0,
            ])
        try db.cachedStatement(sql: "INSERT INTO products_search (rowid, title, description, keywords) VALUES (?, ?, ?, ?)").execute(
                       arguments: [c.key, prepared.searchTitle, prepared.searchDescription, prepared.searchKeywords])
        for f in p.files {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO blobs (sha256, size, stored_at) VALUES (?, ?, ?)").execute(arguments: [f.sha256, f.size, f.addedAt.iso])
            try insertFile(db, productPK: c.key, file: f)
        }
        for e in c.events {
            try db.cachedStatement(sql: """
                INSERT INTO events (pk, at, type, object, product_id, agent, outcome, detail, imported_from, product_pk)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [e.id, e.at.iso, e.type.rawValue, e.object, p.id.description, e.agent, e.outcome.rawValue, e.detail, e.importedFrom, c.key])
        }
        for s in c.sources {
            try db.cachedStatement(sql: "INSERT INTO product_sources (unit, source_id, product_pk) VALUES (?, ?, ?)").execute(arguments: [s.unit, s.sourceID, c.key])
        }
        try db.cachedStatement(sql: "INSERT INTO sidecars (product_pk, sha256, pack, pack_offset, pack_length) VALUES (?, ?, ?, ?, ?)").execute(
            arguments: [c.key, sidecar.sha256, sidecar.pack, sidecar.pack.map { _ in sidecar.offset }, sidecar.pack.map { _ in sidecar.length }])
    }
}
