// Writes one serialized BagIt 1.0 bag, streaming: bagit.txt, the payload as it comes, then
// bag-info.txt, the manifests and the tag manifests (or those first, when every digest is
// known in advance). Digests the caller already knows are used as they are; only content
// without one is hashed on the way. Memory stays flat whatever the number of files: a
// manifest written after the payload waits in scratch files (TrailingManifests).
import Crypto
import Foundation
import KhoCore
import KhoPlatform

public struct BagSummary: Sendable, Equatable {
    public var payloadFiles: Int
    public var payloadBytes: Int64
    /// SHA-256 of the bundle file as written.
    public var bundleSHA256: String
}

public final class BagWriter {
    private let writer: ArchiveWriter
    private let root: String
    private let mtime: Int
    private let sha512: Bool
    private let scratch: HostPath
    /// The manifests written after the payload: made at its first file.
    private var trailing: TrailingManifests?
    private var tags256: [(path: String, digest: String)] = []
    private var tags512: [(path: String, digest: String)] = []
    private var bytes: Int64 = 0
    private var filesWritten = 0
    /// With the tag files first: how many payload files the manifest announced, and the
    /// announced entries of the group (a product) being written: path → (size, SHA-256).
    private var announcedFiles: Int?
    private var expected: [String: (size: Int64, sha256: String)] = [:]

    /// `name` is the bag's folder inside the archive; `mtime` the time every entry carries
    /// (seconds since 1970), so the same content gives the same bytes. `scratch`: where the
    /// manifests wait when they come after the payload.
    public init(fd: Int32, format: BundleFormat, name: String, mtime: Int, sha512: Bool, scratch: HostPath = SpillFile.temporaryFolder) throws(KhoError) {
        writer = try ArchiveWriter(fd: fd, format: format, what: "bag \(name)")
        root = name
        self.mtime = mtime
        self.sha512 = sha512
        self.scratch = scratch
        try addTag("bagit.txt", Array(BagIt.declaration.utf8))
        try writer.addDirectory(path: "\(name)/data/", mtime: mtime)
    }

    /// Writes bag-info.txt, the manifest and the tag manifest before the payload, when every
    /// payload file's size and SHA-256 are known in advance (no --sha512): a reader then knows
    /// which digest to compute before the payload arrives. The manifest is streamed: `lines`
    /// hands each of its lines (`digest  path\n`, paths under data/ already encoded) to the
    /// function it is given, `manifestSize` bytes in all, so a million files need no memory.
    /// The payload then comes in groups, each announced with `expect`.
    public func writeTagFilesFirst(info: [(label: String, value: String)], payloadBytes: Int64, payloadFiles: Int, manifestSize: Int64,
                                   lines: ((String) throws(KhoError) -> Void) throws(KhoError) -> Void) throws(KhoError) {
        guard !sha512, announcedFiles == nil, filesWritten == 0 else {
            throw KhoError(.internal, "bag \(root): tag files can come first only once, before the payload, and without SHA-512")
        }
        let fields = info + [("Payload-Oxum", BagIt.oxum(bytes: payloadBytes, files: payloadFiles)), ("Bag-Size", BagIt.humanSize(payloadBytes))]
        try addTag("bag-info.txt", Array(BagIt.bagInfo(fields).utf8))
        try writer.begin(path: "\(root)/manifest-sha256.txt", size: manifestSize, mtime: mtime)
        var hasher = SHA256()
        var written: Int64 = 0
        try lines { (line) throws(KhoError) in
            let utf8 = Array(line.utf8)
            written += Int64(utf8.count)
            guard written <= manifestSize else { throw KhoError(.internal, "bag \(root): the manifest is longer than announced") }
            hasher.update(data: utf8)
            var failure: KhoError?
            utf8.withUnsafeBytes { raw in
                do throws(KhoError) { try self.writer.write(raw) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        guard written == manifestSize else { throw KhoError(.internal, "bag \(root): the manifest is \(written) bytes, \(manifestSize) were announced") }
        try writer.end()
        tags256.append(("manifest-sha256.txt", Hex.lower(hasher.finalize())))
        try writer.add(path: "\(root)/tagmanifest-sha256.txt", bytes: Array(BagIt.manifest(tags256).utf8), mtime: mtime)
        announcedFiles = payloadFiles
        bytes = 0
    }

    /// The payload files that come next (paths under data/, as the manifest gave them), after
    /// the tag files came first: each must then arrive with this size and digest.
    public func expect(_ entries: [(path: String, size: Int64, sha256: String)]) throws(KhoError) {
        guard announcedFiles != nil, expected.isEmpty else {
            throw KhoError(.internal, "bag \(root): a group of payload files is announced before the last one was complete, or without tag files first")
        }
        for e in entries { expected["data/" + e.path] = (e.size, e.sha256) }
    }

    /// A payload file under `data/`: `size` bytes that `body` writes through the given sink.
    /// With `sha256`, that digest goes into the manifest and the bytes are not hashed again.
    public func addPayload(_ path: String, size: Int64, sha256: String?,
                           body: ((UnsafeRawBufferPointer) throws(KhoError) -> Void) throws(KhoError) -> Void) throws(KhoError) {
        let full = "data/" + path
        var announcedDigest: String?
        if announcedFiles != nil {
            // Announced in the manifest already written: written once, as announced.
            guard let announced = expected.removeValue(forKey: full), announced.size == size, sha256 == nil || sha256 == announced.sha256 else {
                throw KhoError(.internal, "bag \(root): \(full) was not announced with this size and digest")
            }
            announcedDigest = announced.sha256
        } else {
            _ = try trailingManifests()
        }
        try writer.begin(path: "\(root)/\(full)", size: size, mtime: mtime)
        let known = sha256 ?? announcedDigest
        var hasher256 = known == nil ? SHA256() : nil
        var hasher512 = sha512 ? SHA512() : nil
        var written: Int64 = 0
        try body { (chunk: UnsafeRawBufferPointer) throws(KhoError) in
            hasher256?.update(bufferPointer: chunk)
            hasher512?.update(bufferPointer: chunk)
            try self.writer.write(chunk)
            written += Int64(chunk.count)
        }
        guard written == size else {
            throw KhoError(.sizeChanged, "bag \(root): \(full) was announced as \(size) bytes and \(written) came")
        }
        try writer.end()
        bytes += size
        filesWritten += 1
        let digest = known ?? hasher256.map { Hex.lower($0.finalize()) }!
        if let announcedDigest, announcedDigest != digest {
            throw KhoError(.sizeChanged, "bag \(root): \(full) changed between announcing and writing it")
        }
        if announcedFiles != nil { return }
        try trailing?.add(full, sha256: digest, sha512: hasher512.map { Hex.lower($0.finalize()) })
    }

    /// A small payload file made in memory (metadata.json, dc.xml).
    public func addPayload(_ path: String, bytes content: [UInt8]) throws(KhoError) {
        try addPayload(path, size: Int64(content.count), sha256: nil) { (sink) throws(KhoError) in
            var failure: KhoError?
            content.withUnsafeBytes { buffer in
                do throws(KhoError) { try sink(buffer) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    /// Writes bag-info.txt (with Payload-Oxum and Bag-Size added), the manifests and the tag
    /// manifests, and closes the archive. The caller flushes and renames the file.
    public func finish(info: [(label: String, value: String)]) throws(KhoError) -> BagSummary {
        let files = filesWritten
        if let announcedFiles {
            guard announcedFiles == files, expected.isEmpty else {
                throw KhoError(.internal, "bag \(root): \(announcedFiles) payload files announced, \(files) written")
            }
            try writer.close()
            return BagSummary(payloadFiles: files, payloadBytes: bytes, bundleSHA256: writer.outputSHA256)
        }
        let manifests = try trailingManifests()
        if try manifests.nameRepeats() {
            throw KhoError(.duplicatePath, "bag \(root): two payload files were given the same name; the bag is not complete")
        }
        let fields = info + [("Payload-Oxum", BagIt.oxum(bytes: bytes, files: files)), ("Bag-Size", BagIt.humanSize(bytes))]
        try addTag("bag-info.txt", Array(BagIt.bagInfo(fields).utf8))
        for written in try manifests.write(to: writer, root: root, mtime: mtime) {
            tags256.append((written.name, written.sha256))
            if let digest = written.sha512 { tags512.append((written.name, digest)) }
        }
        // The tag manifests list every tag file written so far, themselves excepted.
        let list256 = BagIt.manifest(tags256)
        let list512 = BagIt.manifest(tags512)
        try writer.add(path: "\(root)/tagmanifest-sha256.txt", bytes: Array(list256.utf8), mtime: mtime)
        if sha512 { try writer.add(path: "\(root)/tagmanifest-sha512.txt", bytes: Array(list512.utf8), mtime: mtime) }
        try writer.close()
        return BagSummary(payloadFiles: files, payloadBytes: bytes, bundleSHA256: writer.outputSHA256)
    }

    /// The manifests written after the payload, made when first needed.
    private func trailingManifests() throws(KhoError) -> TrailingManifests {
        if let trailing { return trailing }
        let made = try TrailingManifests(sha512: sha512, scratch: scratch)
        trailing = made
        return made
    }

    private func addTag(_ name: String, _ content: [UInt8]) throws(KhoError) {
        try writer.add(path: "\(root)/\(name)", bytes: content, mtime: mtime)
        tags256.append((name, Hex.lower(SHA256.hash(data: content))))
        if sha512 { tags512.append((name, Hex.lower(SHA512.hash(data: content)))) }
    }
}
