// Replicas: other copies of the archive in folders (another disk, a NAS, a USB drive). A
// replica holds the blobs under the same names as the archive (blobs/sha256/aa/DIGEST), a
// consistent copy of the catalog taken with SQLite's online backup while others write, and a
// marker naming the archive it copies. Restricted products' bytes go only to a replica added
// to take them.
import Foundation
import GRDB
import KhoCore
import KhoPlatform

public struct ReplicaRecord: Sendable, Codable, Equatable {
    public var name: String
    public var target: String
    public var includeRestricted: Bool
    public var addedAt: String
    public var lastReplicatedAt: String?
}

extension Archive {
    static let replicaMarker = "kho-replica.json"

    /// Adds replica `name` at the folder `target` (made if missing; empty, or a replica of this
    /// archive already).
    public func addReplica(name: String, target: String, includeRestricted: Bool) throws(KhoError) -> ReplicaRecord {
        guard (1...40).contains(name.utf8.count), name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }) else {
            throw KhoError(.usage, "a replica's name is 1 to 40 of a-z, 0-9, '-' and '_' (e.g. usb-home, nas)", subject: .field("NAME", name))
        }
        if target.lowercased().hasPrefix("s3://") {
            throw KhoError(.usage, "S3 replicas are not built yet; give a folder (another disk, a NAS, a USB drive)", subject: .field("TARGET", target))
        }
        guard target.hasPrefix("/"), !target.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw KhoError(.usage, "give the replica's folder as an absolute path without . or ..: \(target)", subject: .field("TARGET", target))
        }
        let folder = HostPath(target)
        let archiveReal = FS.realPath(root) ?? root.description
        func overlaps(_ path: String, _ archive: String) -> Bool { path == archive || path.hasPrefix(archive + "/") || archive.hasPrefix(path + "/") }
        func overlaps(_ path: String) -> Bool { overlaps(path, archiveReal) || overlaps(path, root.description) }
        let outside = KhoError(.usage, "a replica must be outside the archive (and not around it): \(target)", subject: .field("TARGET", target))
        // Checked before any folder is made, and again once links are resolved.
        if overlaps(target) { throw outside }
        let existed = FS.exists(folder)
        try FS.makeDirectories(folder)
        let real = FS.realPath(folder) ?? target
        if overlaps(real) {
            if !existed { _ = folder.withCString { rmdir($0) } }
            throw outside
        }
        let now = clock.now()
        let exists = try catalog.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM replicas WHERE name = ?)", arguments: [name]) ?? false }
        if exists { throw KhoError(.fileExists, "there is a replica named \(name) already (kho replica list)") }
        try checkMarker(HostPath(real), adopting: true)
        return try catalog.write { db in
            try db.execute(sql: "INSERT INTO replicas (name, target, include_restricted, added_at) VALUES (?, ?, ?, ?)",
                           arguments: [name, real, includeRestricted, now.iso])
            return ReplicaRecord(name: name, target: real, includeRestricted: includeRestricted, addedAt: now.iso, lastReplicatedAt: nil)
        }
    }

    public func replicas() throws(KhoError) -> [ReplicaRecord] {
        try catalog.read { db in
            try Row.fetchAll(db, sql: "SELECT name, target, include_restricted, added_at, last_replicated_at FROM replicas ORDER BY name").map {
                ReplicaRecord(name: $0[0], target: $0[1], includeRestricted: $0[2], addedAt: $0[3], lastReplicatedAt: $0[4])
            }
        }
    }

    /// The folder is empty (it gets this archive's marker), or already a replica of this archive.
    func checkMarker(_ folder: HostPath, adopting: Bool) throws(KhoError) {
        let marker = folder.appending(Self.replicaMarker)
        if let data = FileManager.default.contents(atPath: marker.description) {
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            guard object?["archiveID"] as? String == info.archiveID else {
                throw KhoError(.usage, "\(folder) is a replica of another archive (\(object?["archiveID"] as? String ?? "unknown")); choose another folder")
            }
            return
        }
        guard adopting else {
            throw KhoError(.missingFile, "\(folder) is not a replica of this archive (\(Self.replicaMarker) is missing): is the drive mounted?")
        }
        guard try FS.list(folder).isEmpty else {
            throw KhoError(.folderNotEmpty, "\(folder) is not empty and not a replica of this archive; give an empty folder")
        }
        let json = #"{"format": "kho-replica", "version": 1, "archiveID": "\#(info.archiveID)"}"# + "\n"
        try FS.writeDurably(Array(json.utf8), to: marker, temp: folder.appending(".\(Self.replicaMarker).partial"))
    }

    /// Every blob, with whether it is held only by restricted products (or by none).
    func replicaBlobs() throws(KhoError) -> [(sha256: String, size: Int64, restrictedOnly: Bool)] {
        try catalog.read { db in
            try Row.fetchAll(db, sql: """
                SELECT b.sha256, b.size, NOT EXISTS (SELECT 1 FROM files f JOIN products p ON p.pk = f.product_pk
                                                     WHERE f.sha256 = b.sha256 AND p.access <> 'restricted')
                FROM blobs b ORDER BY b.sha256
                """).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Where a blob lives in a replica folder.
    static func replicaPath(_ folder: HostPath, _ sha256: String) -> HostPath {
        folder.appending("blobs/sha256/\(sha256.prefix(2))/\(sha256)")
    }
}
