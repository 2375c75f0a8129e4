// What reading a serialized bag gives back (BagVerification), the limits it is read under,
// and what the caller wants done with each payload file (UnpackAs).
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

    /// SHA-256 of every payload file as read (by path inside the bag).
    public var payloadSHA256: [String: String]
    /// Where each payload file was unpacked (with `unpackInto`).
    public var unpacked: [String: String] = [:]
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
    /// Tag files are kept in memory; none may be larger than this.
    public var maxTagFile: Int64

    public init(maxExpansion: Double = 1000, floorBytes: Int64 = 1 << 30, maxEntrySize: Int64 = 1 << 40, maxTagFile: Int64 = 64 << 20) {
        self.maxExpansion = maxExpansion
        self.floorBytes = floorBytes
        self.maxEntrySize = maxEntrySize
        self.maxTagFile = maxTagFile
    }
}
