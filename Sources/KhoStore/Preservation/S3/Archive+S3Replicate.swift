// Bringing an S3 replica up to date, as a folder replica: the sidecars renewed first, a
// consistent copy of the catalog made aside (SQLite's online backup, secrets left out), uploads
// an interrupted run left open aborted, then the blobs the replica lacks (or holds at the wrong
// size), several at once, each hashed on the way (a damaged archive copy is named, never sent);
// restricted products' bytes removed from a replica that does not take them; the sidecars it
// should hold and no others (those current at the end, under the sidecar lock); the catalog,
// the archive's marker and its settings (without the S3 keys) last. A PUT is whole or absent and a multipart upload appears only when completed, so a
// kill leaves whole objects and the next run sends only what is missing.
import Foundation
import Glibc
import KhoCore
import KhoPlatform
import KhoS3
import NIOCore

extension Archive {
    func replicateS3(_ replica: ReplicaRecord, progress: (any ProgressReporter)?) throws(KhoError) -> ReplicationSummary {
        let s3 = try s3Replica(name: replica.name, target: replica.target)
        let lock = try lockS3Replica(replica.name)
        defer { withExtendedLifetime(lock) {} }
        try renewSidecars(wait: true, progress: progress)
        let started = clock.now()
        let catalogCopy = try blobs.newTempPath()
        defer { FS.remove(catalogCopy) }
        try backupCatalog(to: catalogCopy, replica: replica)
        let all = try replicaBlobs()
        let (sidecars, keptSidecars, _) = try replicaSidecars(replica)
        let settings = FileManager.default.contents(atPath: root.appending(ArchiveConfig.fileName).description).flatMap { S3Settings.withoutKeys(Array($0)) }
        let marker = FileManager.default.contents(atPath: root.appending(Self.markerName).description).map { Array($0) }
        var (summary, sidecarsHeld) = try Blocking.run { () async throws(KhoError) -> (ReplicationSummary, Set<String>) in
            var summary = ReplicationSummary(replica: replica.name, target: replica.target)
            try await self.checkS3Marker(s3, adopting: false)
            let open = try await s3.s3 { () async throws(S3Error) in try await s3.client.openUploads(prefix: s3.target.root) }
            for upload in open { try? await s3.client.abortUpload(upload.key, uploadID: upload.uploadID) }
            let held = try await s3.listBlobs().sizes
            var toCopy: [(sha256: String, size: Int64)] = []
            var unwanted: [String] = []
            for blob in all {
                if blob.restrictedOnly && !replica.includeRestricted {
                    summary.restrictedLeftOut += 1
                    if held[blob.sha256] != nil { unwanted.append(blob.sha256) }
                } else if held[blob.sha256] == blob.size {
                    summary.blobsAlreadyThere += 1
                } else {
                    toCopy.append((blob.sha256, blob.size))
                }
            }
            if !unwanted.isEmpty {
                let failed = try await s3.s3 { () async throws(S3Error) in try await s3.client.delete(unwanted.map { s3.target.blobKey($0) }) }
                if let (key, why) = failed.first {
                    throw KhoError(.ioError, "S3 replica \(replica.name): a restricted product's copy could not be removed (\(TextRules.visible(key)): \(TextRules.visible(why))); run kho replicate again")
                }
                summary.restrictedRemoved = unwanted.count
            }
            // Sidecars it should not hold go before anything is sent (a restricted product's among them).
            let (sidecarsHeld, removed) = try await self.removeSidecars(from: s3, keeping: sidecars.union(keptSidecars))
            summary.sidecarsRemoved = removed
            progress?.start(label: "replicating to \(replica.name)", totalBytes: toCopy.reduce(0) { $0 + $1.size }, totalItems: toCopy.count)
            // Largest first: the big ones take longest, the small ones fill in around them.
            let order = toCopy.sorted { $0.size > $1.size }
            let sent = await S3Replica.each(order) { blob -> Result<Bool, KhoError> in
                defer { progress?.itemDone() }
                do throws(KhoError) {
                    return .success(try await s3.upload(self.blobs.path(for: blob.sha256), as: s3.target.blobKey(blob.sha256), size: blob.size,
                                                        sha256: blob.sha256, progress: progress))
                } catch {
                    return .failure(error)
                }
            }
            progress?.finish()
            for (blob, result) in zip(order, sent) {
                if case .success(true) = result {
                    summary.blobsCopied += 1
                    summary.bytesCopied += blob.size
                } else if case .success(false) = result {
                    summary.notSent.append(blob.sha256)
                }
            }
            summary.notSent.sort()
            if case .failure(let error)? = sent.first(where: { if case .failure = $0 { true } else { false } }) { throw error }
            return (summary, sidecarsHeld)
        }
        // The sidecars current now, under the sidecar lock: a renewal meanwhile would remove one
        // listed and leave the replica without its product's sidecar until the next run. What
        // the replica holds is `sidecarsHeld` (nothing else writes to it while this run holds
        // its lock): the ones superseded since the start go, the missing ones are sent.
        do {
            guard let sidecarLock = try lockSidecars(exclusive: false, wait: true) else { throw KhoError(.ioError, "the sidecars could not be locked") }
            defer { withExtendedLifetime(sidecarLock) {} }
            let (current, kept, places) = try replicaSidecars(replica)
            let superseded = sidecarsHeld.subtracting(current).subtracting(kept), missing = current.subtracting(sidecarsHeld)
            let (copied, removed) = try Blocking.run { () async throws(KhoError) -> (Int, Int) in
                if !superseded.isEmpty {
                    let failed = try await s3.s3 { () async throws(S3Error) in try await s3.client.delete(superseded.map { s3.target.sidecarKey($0) }) }
                    if let (key, why) = failed.first {
                        throw KhoError(.ioError, "S3 replica \(s3.name): a sidecar it should no longer hold could not be removed (\(key): \(TextRules.visible(why))); run kho replicate again")
                    }
                }
                return (try await self.sendSidecars(to: s3, missing: missing, places: places), superseded.count)
            }
            summary.sidecarsCopied = copied
            summary.sidecarsRemoved += removed
        }
        summary = try Blocking.run { [summary] () async throws(KhoError) -> ReplicationSummary in
            var summary = summary
            let size = Int64(FS.fileStatus(catalogCopy)?.st_size ?? 0)
            guard try await s3.upload(catalogCopy, as: s3.target.key("catalog.sqlite"), size: size, sha256: nil, progress: nil) else {
                throw KhoError(.ioError, "S3 replica \(replica.name): the catalog copy changed while it was sent; run kho replicate again")
            }
            summary.catalogBytes = size
            for (name, bytes) in [(Self.markerName, marker), (ArchiveConfig.fileName, settings)] {
                guard let bytes else { continue }
                let body = ByteBuffer(bytes: bytes)
                try await s3.s3 { () async throws(S3Error) in
                    try await s3.client.put(s3.target.key(name), body: body, sha256: S3Client.sha256Hex(body), contentType: "application/json")
                }
            }
            return summary
        }
        summary.target = replica.target
        try recordReplication(replica, summary, started: started)
        return summary
    }

    /// Removes the replica's sidecars that are not `wanted` (superseded ones, ones it may not
    /// hold); returns those it holds of the wanted, and how many were removed.
    func removeSidecars(from s3: S3Replica, keeping wanted: Set<String>) async throws(KhoError) -> (held: Set<String>, removed: Int) {
        var held = Set<String>()
        var unwanted: [String] = []
        let base = s3.target.sidecars
        try await s3.s3 { () async throws(S3Error) in
            try await s3.client.listAll(prefix: base) { page in
                for object in page {
                    let name = object.key.split(separator: "/").last.map(String.init) ?? ""
                    let sha256 = String(name.dropLast(5))
                    if name.hasSuffix(".json"), wanted.contains(sha256), object.key == s3.target.sidecarKey(sha256) {
                        held.insert(sha256)
                    } else {
                        unwanted.append(object.key)
                    }
                }
            }
        }
        if !unwanted.isEmpty {
            let failed = try await s3.s3 { () async throws(S3Error) in try await s3.client.delete(unwanted) }
            if let (key, why) = failed.first {
                throw KhoError(.ioError, "S3 replica \(s3.name): a sidecar it should no longer hold could not be removed (\(key): \(TextRules.visible(why))); run kho replicate again")
            }
        }
        return (held, unwanted.count)
    }

    /// Sends the sidecars `missing`, each read back here and checked against its name first; returns how many.
    func sendSidecars(to s3: S3Replica, missing: Set<String>, places: [String: SidecarPlace]) async throws(KhoError) -> Int {
        let missing = missing.sorted()
        let sent = await S3Replica.each(missing) { sha256 -> Result<Bool, KhoError> in
            guard let place = places[sha256], case .success(let bytes) = Self.readSidecarBytes(place) else { return .success(false) }
            let body = ByteBuffer(bytes: bytes)
            // A sidecar damaged here is not spread (its product's next change renews it).
            guard S3Client.sha256Hex(body) == sha256 else { return .success(false) }
            do throws(KhoError) {
                try await s3.s3 { () async throws(S3Error) in try await s3.client.put(s3.target.sidecarKey(sha256), body: body, sha256: sha256, contentType: "application/json") }
                return .success(true)
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error)? = sent.first(where: { if case .failure = $0 { true } else { false } }) { throw error }
        return sent.filter { if case .success(true) = $0 { true } else { false } }.count
    }
}
