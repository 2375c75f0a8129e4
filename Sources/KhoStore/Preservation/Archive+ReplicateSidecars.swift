// The products' sidecars in a replica: exactly the current ones it may hold (a restricted
// product's only where the replica takes restricted products: a sidecar holds the title), each
// checked against its name on the way, written as a batch (one flush for the data, one for the
// names); superseded ones and ones it may not hold removed, so a rebuild from the replica finds
// the latest of each product and nothing it should not have.
import Foundation
import GRDB
import Glibc
import KhoCore
import KhoPlatform

extension Archive {
    /// Returns how many sidecars were copied and removed.
    func replicateSidecars(to folder: ReplicaFolder, replica: ReplicaRecord) throws(KhoError) -> (copied: Int, removed: Int) {
        let wanted = try replicaSidecars(replica)
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
                if name.hasSuffix(".json"), wanted.contains(sha256), file.map({ ($0.st_mode & S_IFMT) == S_IFREG }) == true {
                    held.insert(sha256)
                } else {
                    _ = shardPath.appending(name).withCString { unlink($0) }
                    removed += 1
                }
            }
        }
        let missing = wanted.subtracting(held).sorted()
        var staged: [(HostPath, String)] = []
        defer { for (temp, _) in staged { FS.remove(temp) } }
        for sha256 in missing {
            // Read back and checked: a sidecar damaged here is not spread (renewal writes it anew
            // when its product next changes; kho verify does not read sidecars).
            guard let bytes = FileManager.default.contents(atPath: Self.sidecarPath(sha256, under: root).description) else { continue }
            var digest = StreamingDigest()
            bytes.withUnsafeBytes { digest.update($0) }
            guard digest.finalizeHex() == sha256 else { continue }
            let (temp, output) = try folder.newTempFile("\(sha256).json.partial")
            staged.append((temp, sha256))
            let failed = bytes.withUnsafeBytes { Sys.writeAll(output.fd, $0) }
            if failed != 0 { throw Sys.error(failed, "copying a product sidecar to replica \(replica.name)", temp) }
        }
        guard !staged.isEmpty else { return (0, removed) }
        try FileDescriptor.open(target, flags: O_RDONLY | O_DIRECTORY, doing: "flushing sidecars in replica \(replica.name)").syncFileSystem()
        var copied = 0
        var shards = Set<String>()
        while let (temp, sha256) = staged.first {
            let final = Self.sidecarPath(sha256, under: folder.root)
            if shards.insert(String(sha256.prefix(2))).inserted { try folder.ensureFolder(final.parentFolder) }
            try FS.rename(temp, final)
            staged.removeFirst()
            copied += 1
        }
        try FileDescriptor.open(target, flags: O_RDONLY | O_DIRECTORY, doing: "flushing sidecars in replica \(replica.name)").syncFileSystem()
        return (copied, removed)
    }

    /// The sidecars `replica` should hold: the current ones of the products it may hold. A
    /// product changed since its sidecar was written is left out until it is renewed: its last
    /// sidecar may say what it no longer is (restricted then, say).
    func replicaSidecars(_ replica: ReplicaRecord) throws(KhoError) -> Set<String> {
        try catalog.read { db in
            let restricted = replica.includeRestricted ? "" : " AND p.access <> 'restricted'"
            return Set(try String.fetchAll(db, sql: """
                SELECT s.sha256 FROM sidecars s JOIN products p ON p.pk = s.product_pk
                WHERE s.product_pk NOT IN (SELECT product_pk FROM sidecar_due)\(restricted)
                """))
        }
    }
}
