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

    /// A payload file under `data/`: `size` bytes that `body` writes through the given sink.
    /// With `sha256`, that digest goes into the manifest and the bytes are not hashed again.
    public func addPayload(_ path: String, size: Int64, sha256: String?,
                           body: ((UnsafeRawBufferPointer) throws(KhoError) -> Void) throws(KhoError) -> Void) throws(KhoError) {
        let full = "data/" + path
        guard paths.insert(full).inserted else { throw KhoError("duplicate_path", "bag \(root): \(full) would be written twice") }
        try writer.begin(path: "\(root)/\(full)", size: size, mtime: mtime)
        var hasher256 = sha256 == nil ? SHA256() : nil
        var hasher512 = sha512 ? SHA512() : nil
        var written: Int64 = 0
        try body { (chunk: UnsafeRawBufferPointer) throws(KhoError) in
            hasher256?.update(bufferPointer: chunk)
            hasher512?.update(bufferPointer: chunk)
            try self.writer.write(chunk)
            written += Int64(chunk.count)
        }
        guard written == size else {
            throw KhoError("size_changed", "bag \(root): \(full) was announced as \(size) bytes and \(written) came", category: .damage)
        }
        try writer.end()
        bytes += size
        manifest256.append((full, sha256 ?? hasher256.map { Self.hex($0.finalize()) }!))
        if let hasher512 { manifest512.append((full, Self.hex(hasher512.finalize()))) }
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
        tags256.append((name, Self.hex(SHA256.hash(data: content))))
        if sha512 { tags512.append((name, Self.hex(SHA512.hash(data: content)))) }
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
