// Replicas: other copies of the archive in folders (another disk, a NAS, a USB drive). A
// replica holds the blobs under the same names as the archive (blobs/sha256/aa/DIGEST), a
// consistent copy of the catalog taken with SQLite's online backup while others write, and a
// marker naming the archive it copies. Restricted products' bytes go only to a replica added
// to take them.
import Foundation
import GRDB
import Glibc
import KhoCore
import KhoPlatform

public struct ReplicaRecord: Sendable, Codable, Equatable {
    public var name: String
    public var target: String
    public var includeRestricted: Bool
    public var addedAt: String
    public var lastReplicatedAt: String?
    /// When its copies were last re-read (kho verify --replica).
    public var lastCheckedAt: String?
}

extension Archive {
    static let replicaMarker = "kho-replica.json"

    /// Adds replica `name` at the folder `target` (made if missing; empty, or a replica of this
    /// archive already).
    public func addReplica(name: String, target: String, includeRestricted: Bool, sameDisk: Bool = false) throws(KhoError) -> ReplicaRecord {
        guard (1...40).contains(name.utf8.count), name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }) else {
            throw KhoError(.usage, "a replica's name is 1 to 40 of a-z, 0-9, '-' and '_' (e.g. usb-home, nas)", subject: .field("NAME", name))
        }
        if S3Target.isS3(target) { return try addS3Replica(name: name, target: target, includeRestricted: includeRestricted) }
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
        let others = try replicas()
        if others.contains(where: { $0.name == name }) { throw KhoError(.fileExists, "there is a replica named \(name) already (kho replica list)") }
        let existed = FS.exists(folder)
        try FS.makeDirectories(folder)
        let real = FS.realPath(folder) ?? target
        func refuse(_ error: KhoError) -> KhoError {
            if !existed { _ = folder.withCString { rmdir($0) } }
            return error
        }
        if overlaps(real) { throw refuse(outside) }
        // Two replicas in one folder (or one inside another) would mix what each may hold.
        if let other = others.first(where: { overlaps(real, $0.target) }) {
            throw refuse(KhoError(.usage, "\(target) overlaps replica \(other.name) (\(other.target)); give each replica its own folder", subject: .field("TARGET", target)))
        }
        // A copy on the archive's own disk dies with it; an unplugged drive's empty mount point
        // is such a folder too.
        if !sameDisk, let here = FS.statFollowing(HostPath(real)), let archive = FS.statFollowing(root), here.st_dev == archive.st_dev {
            throw refuse(KhoError(.usage, "\(target) is on the same disk as the archive: that copy dies with the disk (or the drive meant to be there is not mounted); give a folder on another disk, or add --same-disk if that is what you want", subject: .field("TARGET", target)))
        }
        let now = clock.now()
        do { try checkMarker(HostPath(real), name: name, adopting: true) } catch { throw refuse(error) }
        return try catalog.write { db in
            try db.execute(sql: "INSERT INTO replicas (name, target, include_restricted, added_at) VALUES (?, ?, ?, ?)",
                           arguments: [name, real, includeRestricted, now.iso])
            return ReplicaRecord(name: name, target: real, includeRestricted: includeRestricted, addedAt: now.iso, lastReplicatedAt: nil, lastCheckedAt: nil)
        }
    }

    public func replicas() throws(KhoError) -> [ReplicaRecord] {
        try catalog.read { db in
            // A catalog of an older Kho read as it is (read-only storage) has no checks column.
            let checked = try db.columns(in: "replicas").contains { $0.name == "last_checked_at" } ? "last_checked_at" : "NULL"
            return try Row.fetchAll(db, sql: "SELECT name, target, include_restricted, added_at, last_replicated_at, \(checked) FROM replicas ORDER BY name").map {
                ReplicaRecord(name: $0[0], target: $0[1], includeRestricted: $0[2], addedAt: $0[3], lastReplicatedAt: $0[4], lastCheckedAt: $0[5])
            }
        }
    }

    /// The folder is empty (it gets this archive's marker naming the replica), or already
    /// replica `name` of this archive.
    func checkMarker(_ folder: HostPath, name: String, adopting: Bool) throws(KhoError) {
        let marker = folder.appending(Self.replicaMarker)
        if let object = try replicaFolder(folder).readMarker() {
            guard object["archiveID"] as? String == info.archiveID else {
                throw KhoError(.usage, "\(folder) is a replica of another archive (\(object["archiveID"] as? String ?? "unknown")); choose another folder")
            }
            guard object["replica"] as? String == name else {
                throw KhoError(.usage, "\(folder) is this archive's replica \(object["replica"] as? String ?? "(unnamed)"), not \(name); give each replica its own folder")
            }
            return
        }
        guard adopting else {
            throw KhoError(.missingFile, "\(folder) is not a replica of this archive (\(Self.replicaMarker) is missing): is the drive mounted?")
        }
        guard try FS.list(folder).isEmpty else {
            throw KhoError(.folderNotEmpty, "\(folder) is not empty and not a replica of this archive; give an empty folder")
        }
        let json = #"{"format": "kho-replica", "version": 1, "archiveID": "\#(info.archiveID)", "replica": "\#(name)"}"# + "\n"
        try FS.writeDurably(Array(json.utf8), to: marker, temp: folder.appending(".\(Self.replicaMarker).partial"))
    }

    /// Every blob, with whether it is held only by restricted products (or by none), and when it was stored.
    func replicaBlobs() throws(KhoError) -> [(sha256: String, size: Int64, restrictedOnly: Bool, storedAt: String)] {
        try catalog.read { db in
            try Row.fetchAll(db, sql: """
                SELECT b.sha256, b.size, NOT EXISTS (SELECT 1 FROM files f JOIN products p ON p.pk = f.product_pk
                                                     WHERE f.sha256 = b.sha256 AND p.access <> 'restricted'), b.stored_at
                FROM blobs b ORDER BY b.sha256
                """).map { ($0[0], $0[1], $0[2], $0[3]) }
        }
    }

    func replicaFolder(_ folder: HostPath) -> ReplicaFolder {
        ReplicaFolder(root: folder, archiveRoot: root, archiveBlobs: blobs.root)
    }

    /// An S3 replica: the bucket must answer to the keys; the prefix must be empty (it gets the
    /// marker) or this replica already, and share no key with another replica's.
    func addS3Replica(name: String, target: String, includeRestricted: Bool) throws(KhoError) -> ReplicaRecord {
        let parsed = try S3Target.parse(target)
        let others = try replicas()
        if others.contains(where: { $0.name == name }) { throw KhoError(.fileExists, "there is a replica named \(name) already (kho replica list)") }
        if let other = others.first(where: { S3Target.isS3($0.target) && (try? S3Target.parse($0.target))?.overlaps(parsed) == true }) {
            throw KhoError(.usage, "\(parsed) overlaps replica \(other.name) (\(other.target)); give each replica its own prefix", subject: .field("TARGET", target))
        }
        let s3 = try s3Replica(name: name, target: parsed.description)
        try Blocking.run { () async throws(KhoError) in try await self.checkS3Marker(s3, adopting: true) }
        let now = clock.now()
        return try catalog.write { db in
            try db.execute(sql: "INSERT INTO replicas (name, target, include_restricted, added_at) VALUES (?, ?, ?, ?)",
                           arguments: [name, parsed.description, includeRestricted, now.iso])
            return ReplicaRecord(name: name, target: parsed.description, includeRestricted: includeRestricted, addedAt: now.iso, lastReplicatedAt: nil, lastCheckedAt: nil)
        }
    }
}
