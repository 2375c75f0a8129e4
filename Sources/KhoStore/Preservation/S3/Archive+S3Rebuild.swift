// A catalog rebuilt from an S3 replica (the archive's disk died, or its catalog): the replica's
// marker must name this archive; its sidecars are fetched into a folder of this process's
// temporary area (each still checked against its name and decoded as hostile by the rebuild),
// and the blobs the archive lacks come straight from the bucket into the store, each hashed on
// its way in. Then the rebuild goes on as from a folder.
import Foundation
import Glibc
import KhoCore
import KhoPlatform
import KhoS3
import NIOCore

extension Archive {
    /// Rebuilds the catalog of the archive at `root` from the S3 replica at `target` (s3://BUCKET/PREFIX).
    public static func rebuildCatalog(_ root: HostPath, fromS3 target: String, agent: String, environment: ArchiveEnvironment,
                                      force: Bool = false, progress: (any ProgressReporter)?) throws(KhoError) -> CatalogRebuildReport {
        guard isArchive(root) else { throw KhoError(.notAnArchive, "\(root) is not a Kho archive (no \(markerName)); a rebuild needs the archive's marker") }
        let settings = environment.s3.over(try ArchiveConfig.load(root: root).s3)
        let s3 = try S3Replica.make(name: target, target: target, settings: settings, clock: environment.clock)
        let archiveID = try ArchiveInfo.read(root.appending(markerName)).archiveID
        try FS.makeDirectories(root.appending("tmp"))
        // In this process's temporary area: whatever a kill leaves, the next command removes.
        let area = BlobStore(root: root.appending("blobs/sha256"), tempRoot: root.appending("tmp"))
        defer { area.closeSession() }
        let staging = try area.temporaryFolder("rebuild-s3")
        defer { FS.removeTree(staging) }
        try FS.makeDirectories(staging.appending(sidecarFolder))
        try Blocking.run { () async throws(KhoError) in
            let marker = try await s3.readMarker()
            guard let marker, marker["archiveID"] as? String == archiveID else {
                throw KhoError(.usage, "\(s3.target) is not a replica of this archive (its kho-replica.json names \(TextRules.visible(marker?["archiveID"] as? String ?? "no archive"))); nothing was changed")
            }
            let json = (try? JSONSerialization.data(withJSONObject: marker)) ?? Data()
            try FS.writeDurably(Array(json), to: staging.appending(replicaMarker), temp: staging.appending(".marker.partial"))
            try await fetchSidecars(s3, into: staging.appending(sidecarFolder), progress: progress)
        }
        return try rebuildCatalog(root, from: staging, agent: agent, environment: environment, force: force, fetch: { blob, store throws(KhoError) in
            try Blocking.run { () async throws(KhoError) -> String in try await s3.fetch(blob, into: store, progress: progress) }
        }, progress: progress)
    }

    /// Every object named like a sidecar (and small) under the replica's sidecars/, into `folder`.
    static func fetchSidecars(_ s3: S3Replica, into folder: HostPath, progress: (any ProgressReporter)?) async throws(KhoError) {
        var names = Set<String>()
        let base = s3.target.sidecars
        try await s3.s3 { () async throws(S3Error) in
            try await s3.client.listAll(prefix: base) { page in
                for object in page where object.size < 8 << 20 {
                    let name = String(object.key.dropFirst(base.count))
                    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
                    guard parts.count == 2, parts[0].count == 2, parts[1].hasSuffix(".json"), parts[1].hasPrefix(parts[0]),
                          SHA256Hex.isValid(String(parts[1].dropLast(5))) else { continue }
                    names.insert(name)
                }
            }
        }
        progress?.start(label: "fetching sidecars", totalBytes: 0, totalItems: names.count)
        defer { progress?.finish() }
        for shard in Set(names.map { String($0.prefix(2)) }) { try FS.makeDirectories(folder.appending(shard)) }
        let fetched = await S3Replica.each(names.sorted()) { name -> KhoError? in
            defer { progress?.itemDone() }
            var bytes = ByteBuffer()
            do throws(KhoError) {
                let found = try await s3.s3 { () async throws(S3Error) in
                    try await s3.client.get(base + name, expectedSize: 65536) { piece in
                        var piece = piece
                        bytes.writeBuffer(&piece)
                        return bytes.readableBytes < 8 << 20
                    }
                }
                guard found != nil else { return nil }
                let path = folder.appending(name)
                let output = try KhoPlatform.FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o644, doing: "writing a fetched sidecar")
                try bytes.withUnsafeReadableBytes { (chunk) throws(KhoError) in try output.writeAll(chunk, doing: "writing a fetched sidecar") }
                return nil
            } catch {
                return error
            }
        }
        if let error = fetched.lazy.compactMap({ $0 }).first { throw error }
        // The rebuild reads them next; the catalog that names them is flushed before it is used.
        try KhoPlatform.FileDescriptor.open(folder, flags: O_RDONLY | O_DIRECTORY, doing: "flushing fetched sidecars").syncFileSystem()
    }
}
