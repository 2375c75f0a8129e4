// What reading a serialized bag gives back (BagVerification), the limits it is read under,
// and what the caller wants done with each payload file (UnpackAs).
import Foundation
import KhoCore
import KhoPlatform

/// What `BagReader.verify` does with a payload file while it checks it.
public enum UnpackAs: Sendable {
    case file, record, skip
}

public struct BagVerification: Sendable {
    /// The bag's folder inside the archive.
    public var name: String?
    public var check: BagCheck
    /// Problems with the archive itself (unsafe entries, damage); the bag is invalid if any.
    public var archiveProblems: [BagProblem]
    public var entries: Int

    /// With `unpackInto`: each payload file unpacked as a file, its SHA-256 as read and where.
    public var payload: PayloadIndex
    /// Payload files `unpackAs` asked for as records that were unpacked as files instead (a
    /// path too long for a record), in the bag's order.
    public var recordFiles: [String] = []
    /// The payload files `unpackAs` asked for as records, in the bag's order: each record
    /// is the path's length (2 bytes, little-endian), the path, then the file's bytes.
    public var records: SpillFile?

    public var problems: [BagProblem] { archiveProblems + check.problems }
    public var isValid: Bool { !problems.contains { $0.severity == .error } }
}

public struct BagReadLimits: Sendable {
    /// The most bytes the archive may unpack to: the larger of `floorBytes` and
    /// `maxExpansion` times the file's own size.
    public var maxExpansion: Double
    public var floorBytes: Int64
    /// No entry may claim more than this.
    public var maxEntrySize: Int64
    /// Tag files are kept in memory; none may be larger than this. A payload manifest that
    /// comes before its payload (Kho's) is not kept: it is read into a table as it comes.
    public var maxTagFile: Int64
    /// The entries of payload manifests read into that table, at most: two million, the 1.8
    /// million of a 900,000-product archive's whole export. While a bag is checked each entry
    /// costs about 200 bytes of memory (its key, its digest and the names' check): 380 MB for
    /// that export, which is what bounds this. (A 64 MB manifest, the old bound, listed about
    /// 550,000.)
    public var maxManifestEntries: Int

    public init(maxExpansion: Double = 1000, floorBytes: Int64 = 1 << 30, maxEntrySize: Int64 = 1 << 40, maxTagFile: Int64 = 64 << 20,
                maxManifestEntries: Int = 2_000_000) {
        self.maxExpansion = maxExpansion
        self.floorBytes = floorBytes
        self.maxEntrySize = maxEntrySize
        self.maxTagFile = maxTagFile
        self.maxManifestEntries = maxManifestEntries
    }
}

/// Each payload file's SHA-256 and the file it was unpacked to, by its path inside the bag:
/// a 16-byte key, 32 bytes of digest and a number per file, not the paths themselves.
public struct PayloadIndex: Sendable {
    private var index: [KeyDigest: Int32] = [:]
    private var digests: [UInt8] = []
    /// The number of the file each was unpacked to (`folder`/%08d), 0 if none.
    private var numbers: [Int32] = []
    private let folder: String?

    public init(folder: String?) { self.folder = folder }

    public var count: Int { numbers.count }

    mutating func add(_ path: String, sha256: String, unpackedAs number: Int) {
        guard let digest = Hex.bytes(sha256), digest.count == 32 else { return }
        index[KeyDigest(path)] = Int32(numbers.count)
        digests += digest
        numbers.append(Int32(number))
    }

    /// The name a payload file is unpacked to.
    static func fileName(_ number: Int, in folder: String) -> String { "\(folder)/\(String(format: "%08d", number))" }

    public func sha256(_ path: String) -> String? {
        guard let n = index[KeyDigest(path)].map(Int.init) else { return nil }
        return Hex.lower(digests[n * 32..<(n + 1) * 32])
    }

    /// Where the payload file was unpacked, if it was.
    public func unpacked(_ path: String) -> String? {
        guard let folder, let n = index[KeyDigest(path)].map(Int.init), numbers[n] > 0 else { return nil }
        return Self.fileName(Int(numbers[n]), in: folder)
    }
}
