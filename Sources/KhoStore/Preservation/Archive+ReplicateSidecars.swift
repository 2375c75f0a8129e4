// The products' sidecars in a replica: exactly the current ones it may hold (a restricted
// product's only where the replica takes restricted products: a sidecar holds the title), each
// checked against its name on the way, written on every core straight under their names and
// flushed together; superseded ones and ones it may not hold removed, so a rebuild from the
// replica finds the latest of each product and nothing it should not have.
import Foundation
import GRDB
import Glibc
import KhoCore
import KhoPlatform

extension Archive {
    /// Returns how many sidecars were copied and removed.
    func replicateSidecars(to folder: ReplicaFolder, replica: ReplicaRecord) throws(KhoError) -> (copied: Int, removed: Int) {
        // From the listing to the end of the copy: a renewal meanwhile would remove a listed
        // sidecar (after the replica's older one went) and leave the product without one there.
        guard let lock = try lockSidecars(exclusive: false, wait: true) else { throw KhoError(.ioError, "the sidecars could not be locked") }
        defer { withExtendedLifetime(lock) {} }
        let (wanted, kept, places) = try replicaSidecars(replica)
        let target = folder.root.appending(Self.sidecarFolder)
        try folder.ensureFolder(target)
        // What the replica holds now, by name (links and strangers are removed too: never followed).
        var held = Set<String>()
        var removed = 0
        for shard in try FS.list(target) where shard != ".lock" {
            let shardPath = target.appending(shard)
            guard let st = FS.fileStatus(shardPath), (st.st_mode & S_IFMT) == S_IFDIR, shard.utf8.count == 2 else {
                _ = shardPath.withCString { unlink($0) }
                continue
            }
            try folder.ensureFolder(shardPath)
            for name in try FS.list(shardPath) {
                let sha256 = String(name.dropLast(5))
                let file = FS.fileStatus(shardPath.appending(name))
                // A file a kill cut short has another size than the archive's: written again.
                if name.hasSuffix(".json"), wanted.contains(sha256) || kept.contains(sha256), let file, (file.st_mode & S_IFMT) == S_IFREG,
                   places[sha256].map({ $0.size.map { $0 == Int64(file.st_size) } ?? true }) ?? true {
                    held.insert(sha256)
                } else {
                    _ = shardPath.appending(name).withCString { unlink($0) }
                    removed += 1
                }
            }
        }
        let missing = wanted.subtracting(held).sorted()
        guard !missing.isEmpty else { return (0, removed) }
        for shard in Set(missing.map { String($0.prefix(2)) }) { try folder.ensureFolder(target.appending(shard), flushed: false) }
        // On every core, each straight under its name (a sidecar is named by its content: one a
        // kill cut short is found by its size above, and fails its hash if ever read), then one
        // flush of the replica's file system for them all.
        let written: [Bool] = try Parallel.map(count: missing.count, jobs: Parallel.defaultJobs) { (i, _) throws(KhoError) -> Bool in
            let sha256 = missing[i]
            // Read back and checked: a sidecar damaged here is not spread (renewal writes it anew
            // when its product next changes; kho verify does not read sidecars).
            guard let place = places[sha256], case .success(let bytes) = Self.readSidecarBytes(place) else { return false }
            let final = Self.sidecarPath(sha256, under: folder.root)
            FS.remove(final)
            let output = try FileDescriptor.open(final, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o444, doing: "writing a sidecar in replica \(replica.name)")
            let failed = bytes.withUnsafeBytes { Sys.writeAll(output.fd, $0) }
            if failed != 0 { throw Sys.error(failed, "copying a product sidecar to replica \(replica.name)", final) }
            return true
        }
        try FileDescriptor.open(target, flags: O_RDONLY | O_DIRECTORY, doing: "flushing sidecars in replica \(replica.name)").syncFileSystem()
        return (written.filter { $0 }.count, removed)
    }

    /// The sidecars `replica` should hold: the current ones of the products it may hold. A
    /// product changed since its sidecar was written is left out until it is renewed: its last
    /// sidecar may say what it no longer is. `kept`: those last sidecars of changed products
    /// the replica may still hold (not restricted now, or a replica that takes restricted
    /// ones), left there if it has them — removing them would leave the product without a
    /// sidecar in the replica until the next run (a renewal waits while a replicate holds the
    /// sidecar lock).
    /// `places`: where the wanted ones are in this archive (a file of its own, or a pack's member).
    func replicaSidecars(_ replica: ReplicaRecord) throws(KhoError) -> (wanted: Set<String>, kept: Set<String>, places: [String: SidecarPlace]) {
        let root = self.root
        return try catalog.read { db in
            let restricted = replica.includeRestricted ? "" : " AND p.access <> 'restricted'"
            var wanted = Set<String>(), kept = Set<String>(), places: [String: SidecarPlace] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT s.sha256, s.product_pk IN (SELECT product_pk FROM sidecar_due), s.pack, s.pack_offset, s.pack_length
                FROM sidecars s JOIN products p ON p.pk = s.product_pk
                WHERE 1\(restricted)
                """) {
                let sha256: String = row[0]
                if row[1] as Bool { kept.insert(sha256); continue }
                wanted.insert(sha256)
                places[sha256] = SidecarPlace.named(sha256: sha256, pack: row[2], offset: row[3], length: row[4], under: root)
            }
            return (wanted, kept, places)
        }
    }
}
