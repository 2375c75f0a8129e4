// The payload manifests of a bag whose tag files come after its payload (Kho's with --sha512,
// whose SHA-512 digests are known only once each file has been written): each payload file's
// lines kept in scratch files in the order the files came, not in memory (a whole archive's
// export lists millions), and each name's key, so that a name given twice stops the bag at its
// end. Written out after the payload, a manifest at a time, hashed as it goes for the tag
// manifests.
import Crypto
import KhoCore
import KhoPlatform

final class TrailingManifests {
    private let sha256Lines: SpillFile
    private let sha512Lines: SpillFile?
    private var sha256Size: Int64 = 0
    private var sha512Size: Int64 = 0
    /// Each payload name's key: sorted at the end, two equal keys are a name given twice.
    private let names: KeyedRecords

    init(sha512: Bool, scratch: HostPath) throws(KhoError) {
        sha256Lines = try SpillFile(in: scratch)
        sha512Lines = sha512 ? try SpillFile(in: scratch) : nil
        names = KeyedRecords(width: 16, memoryBytes: 1 << 20, scratchIn: scratch)
    }

    /// A payload file (`path` under data/) and its digests.
    func add(_ path: String, sha256: String, sha512: String?) throws(KhoError) {
        try names.append(KeyDigest(path)) { _ in }
        let line = Array(BagIt.manifestLine(path: path, digest: sha256).utf8)
        try sha256Lines.append(line)
        sha256Size += Int64(line.count)
        if let sha512Lines, let sha512 {
            let line = Array(BagIt.manifestLine(path: path, digest: sha512).utf8)
            try sha512Lines.append(line)
            sha512Size += Int64(line.count)
        }
    }

    /// Whether a payload name was given twice (the same once Unicode-normalised, as a reader
    /// compares them).
    func nameRepeats() throws(KhoError) -> Bool {
        var last: KeyedRecords.Key?
        var repeats = false
        try names.forEach { record in
            let key = KeyedRecords.Key(record)
            if key == last { repeats = true }
            last = key
        }
        return repeats
    }

    /// Writes each manifest as an entry of `writer` under `root`; returns each one's name with
    /// its SHA-256 and (with --sha512) SHA-512, for the tag manifests.
    func write(to writer: ArchiveWriter, root: String, mtime: Int) throws(KhoError) -> [(name: String, sha256: String, sha512: String?)] {
        var written: [(name: String, sha256: String, sha512: String?)] = []
        for (name, lines, size) in [("manifest-sha256.txt", sha256Lines, sha256Size), ("manifest-sha512.txt", sha512Lines, sha512Size)] {
            guard let lines else { continue }
            try lines.rewind()
            try writer.begin(path: "\(root)/\(name)", size: size, mtime: mtime)
            var hash256 = SHA256(), hash512 = sha512Lines == nil ? nil : SHA512()
            var buffer: [UInt8] = []
            buffer.reserveCapacity(Self.block + 4096)
            func drain() throws(KhoError) {
                hash256.update(data: buffer)
                hash512?.update(data: buffer)
                var failure: KhoError?
                buffer.withUnsafeBytes { raw in
                    do throws(KhoError) { try writer.write(raw) } catch { failure = error }
                }
                if let failure { throw failure }
                buffer.removeAll(keepingCapacity: true)
            }
            while let line = try lines.next() {
                buffer += line
                if buffer.count >= Self.block { try drain() }
            }
            try drain()
            try writer.end()
            written.append((name, Hex.lower(hash256.finalize()), hash512.map { Hex.lower($0.finalize()) }))
        }
        return written
    }

    private static let block = 1 << 18
}
