// Writes one serialized BagIt 1.0 bag, streaming: bagit.txt, the payload as it comes, then
// bag-info.txt, the manifests and the tag manifests. Digests the caller already knows are
// used as they are; only content without one is hashed on the way.
import Crypto
import Foundation
import KhoCore

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
    private var manifest256: [(path: String, digest: String)] = []
    private var manifest512: [(path: String, digest: String)] = []
    private var tags256: [(path: String, digest: String)] = []
    private var tags512: [(path: String, digest: String)] = []
    private var paths: Set<String> = []
    private var bytes: Int64 = 0
    /// Payload announced by `writeTagFilesFirst`: path → (size, SHA-256).
    private var announced: [String: (size: Int64, sha256: String)]?

    /// `name` is the bag's folder inside the archive; `mtime` the time every entry carries
    /// (seconds since 1970), so the same content gives the same bytes.
    public init(fd: Int32, format: BundleFormat, name: String, mtime: Int, sha512: Bool) throws(KhoError) {
        writer = try ArchiveWriter(fd: fd, format: format, what: "bag \(name)")
        root = name
        self.mtime = mtime
        self.sha512 = sha512
        try addTag("bagit.txt", Array(BagIt.declaration.utf8))
        try writer.addDirectory(path: "\(name)/data/", mtime: mtime)
    }

    /// Writes bag-info.txt, the manifest and the tag manifest before the payload, when every
    /// payload file's size and SHA-256 are known in advance (no --sha512): a reader then knows
    /// which digest to compute before the payload arrives. Every announced file must follow,
    /// with the size and digest announced.
    public func writeTagFilesFirst(payload: [(path: String, size: Int64, sha256: String)], info: [(label: String, value: String)]) throws(KhoError) {
        guard !sha512, announced == nil, paths.isEmpty else {
            throw KhoError(.internal, "bag \(root): tag files can come first only once, before the payload, and without SHA-512")
        }
        var table: [String: (size: Int64, sha256: String)] = [:]
        for p in payload { table["data/" + p.path] = (p.size, p.sha256) }
        let total = payload.reduce(Int64(0)) { $0 + $1.size }
        let fields = info + [("Payload-Oxum", BagIt.oxum(bytes: total, files: payload.count)), ("Bag-Size", BagIt.humanSize(total))]
        try addTag("bag-info.txt", Array(BagIt.bagInfo(fields).utf8))
        try addTag("manifest-sha256.txt", Array(BagIt.manifest(payload.map { ("data/" + $0.path, $0.sha256) }).utf8))
        try writer.add(path: "\(root)/tagmanifest-sha256.txt", bytes: Array(BagIt.manifest(tags256).utf8), mtime: mtime)
        announced = table
    }

    /// A payload file under `data/`: `size` bytes that `body` writes through the given sink.
    /// With `sha256`, that digest goes into the manifest and the bytes are not hashed again.
    public func addPayload(_ path: String, size: Int64, sha256: String?,
                           body: ((UnsafeRawBufferPointer) throws(KhoError) -> Void) throws(KhoError) -> Void) throws(KhoError) {
        let full = "data/" + path
        guard paths.insert(full).inserted else { throw KhoError(.duplicatePath, "bag \(root): \(full) would be written twice") }
        if let announced {
            guard let expected = announced[full], expected.size == size, sha256 == nil || sha256 == expected.sha256 else {
                throw KhoError(.internal, "bag \(root): \(full) was not announced with this size and digest")
            }
        }
        try writer.begin(path: "\(root)/\(full)", size: size, mtime: mtime)
        let known = sha256 ?? announced?[full]?.sha256
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
        let digest = known ?? hasher256.map { Hex.lower($0.finalize()) }!
        if let announced, announced[full]?.sha256 != digest {
            throw KhoError(.sizeChanged, "bag \(root): \(full) changed between announcing and writing it")
        }
        manifest256.append((full, digest))
        if let hasher512 { manifest512.append((full, Hex.lower(hasher512.finalize()))) }
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
        let files = manifest256.count
        if let announced {
            guard announced.count == files else {
                throw KhoError(.internal, "bag \(root): \(announced.count) payload files announced, \(files) written")
            }
            try writer.close()
            return BagSummary(payloadFiles: files, payloadBytes: bytes, bundleSHA256: writer.outputSHA256)
        }
        let fields = info + [("Payload-Oxum", BagIt.oxum(bytes: bytes, files: files)), ("Bag-Size", BagIt.humanSize(bytes))]
        try addTag("bag-info.txt", Array(BagIt.bagInfo(fields).utf8))
        try addTag("manifest-sha256.txt", Array(BagIt.manifest(manifest256).utf8))
        if sha512 { try addTag("manifest-sha512.txt", Array(BagIt.manifest(manifest512).utf8)) }
        // The tag manifests list every tag file written so far, themselves excepted.
        let list256 = BagIt.manifest(tags256)
        let list512 = BagIt.manifest(tags512)
        try writer.add(path: "\(root)/tagmanifest-sha256.txt", bytes: Array(list256.utf8), mtime: mtime)
        if sha512 { try writer.add(path: "\(root)/tagmanifest-sha512.txt", bytes: Array(list512.utf8), mtime: mtime) }
        try writer.close()
        return BagSummary(payloadFiles: files, payloadBytes: bytes, bundleSHA256: writer.outputSHA256)
    }

    private func addTag(_ name: String, _ content: [UInt8]) throws(KhoError) {
        try writer.add(path: "\(root)/\(name)", bytes: content, mtime: mtime)
        tags256.append((name, Hex.lower(SHA256.hash(data: content))))
        if sha512 { tags512.append((name, Hex.lower(SHA512.hash(data: content)))) }
    }
}
