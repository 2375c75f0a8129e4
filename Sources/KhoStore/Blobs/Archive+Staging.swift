// Files on their way into a product: stored as blobs (hashed on all cores, flushed) before
// the catalog transaction that gives them to a product.
import Glibc
import KhoCore
import KhoPlatform

extension Archive {
    struct StagedFile: Sendable {
        var source: HostPath
        var name: FileName
        var blob: StoredBlob
        var mediaType: String
    }

    struct StagedFiles: Sendable {
        var files: [StagedFile]
        var notices: [String]
        var newBlobs: Int
        var totalBytes: Int64
        var newBytes: Int64
    }

    /// Checks the sources, the free space and the lock, then stores the blobs.
    func storeFiles(_ sources: [HostPath], jobs: Int, progress: (any ProgressReporter)?) throws(KhoError) -> StagedFiles {
        let (sizes, problems) = BlobStore.checkSources(sources)
        if let first = problems.first {
            throw KhoError(first.code, problems.map(\.message).joined(separator: "\n"), subject: first.subject, cause: first.cause)
        }
        let total = sizes.reduce(0, +)
        let room = FS.room(root)
        if let free = room?.bytes, total + (16 << 20) > free {
            throw KhoError(.diskFull, "not enough space for \(Formatting.bytes(total)) in the archive at \(root): \(Formatting.bytes(free)) free; nothing was stored")
        }
        try Self.checkFileRoom(room?.files, blobs: sources.count, sidecars: 1, what: "\(sources.count) file(s)")
        try catalog.probeWriteLock()
        let damaged = try catalog.read { db in try CatalogReads.damagedBlobs(db) }
        progress?.start(label: "storing", totalBytes: total, totalItems: sources.count)
        defer { progress?.finish() }
        let stored = try blobs.put(sources, jobs: jobs, damaged: damaged, progress: progress)
        return staged(zip(sources, stored).map { ($0, FileName(bytes: $0.lastComponent), $1) })
    }

    /// A new stream into this archive's temporary area (an upload), named `fileName` as the
    /// client sent it. At most `maxBytes` bytes, when given.
    public func newBlobWriter(fileName: [UInt8], maxBytes: Int64? = nil) throws(KhoError) -> BlobWriter {
        try blobs.newWriter(name: FileName(bytes: FileName.lastComponent(of: fileName)), maxBytes: maxBytes)
    }

    /// The resumable uploads waiting in this archive. Make one per process (it keeps the
    /// running hashes of the uploads it writes).
    public func makeUploadArea() -> UploadArea { UploadArea(archive: self) }

    /// Streams written by `BlobWriter`s, published into the store by a rename (flushed first).
    func adoptWritten(_ written: [WrittenBlob]) throws(KhoError) -> StagedFiles {
        try catalog.probeWriteLock()
        let damaged = try catalog.read { db in try CatalogReads.damagedBlobs(db) }
        let stored = try blobs.adopt(written.map { ($0.path, $0.sha256, $0.size, $0.mediaType) }, damaged: damaged)
        return staged(zip(written, stored).map { (HostPath(bytes: $0.name.original), $0.name, $1) })
    }

    /// The files as a product will hold them: the same bytes twice are kept once (decided by
    /// digest, never by name), each name one safe path component, unique among them; with notices.
    private func staged(_ items: [(source: HostPath, name: FileName, blob: StoredBlob)]) -> StagedFiles {
        var files: [StagedFile] = []
        var notices: [String] = []
        var firstSource: [String: HostPath] = [:]
        for (source, given, blob) in items {
            let name = given.asComponent
            if name.display != given.display {
                notices.append("the name of \(source) is stored as '\(name.display)': a stored name is one file name, without folders or control characters")
            }
            if let first = firstSource[blob.sha256] {
                notices.append("\(source) has the same bytes as \(first); stored once")
                continue
            }
            firstSource[blob.sha256] = source
            if name.decodedAs != "utf-8" {
                notices.append("file name of \(source) is not UTF-8; read as \(name.decodedAs): '\(name.display)' (original bytes kept)")
            }
            if blob.repaired { notices.append("\(source) replaced the damaged copy of blob \(blob.sha256.prefix(12))… in the store") }
            files.append(StagedFile(source: source, name: name, blob: blob, mediaType: blob.mediaType))
        }
        let unique = FileName.unique(files.map(\.name))
        for index in unique.renamed {
            notices.append("\(files[index].source) is stored as '\(unique.names[index].display)': another file of the product has the name '\(files[index].name.display)'")
            files[index].name = unique.names[index]
        }
        let written = items.map(\.blob).filter { $0.wasNew || $0.repaired }
        return StagedFiles(files: files, notices: notices, newBlobs: written.count,
                           totalBytes: files.reduce(0) { $0 + $1.blob.size }, newBytes: written.reduce(0) { $0 + $1.size })
    }
}
