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
    /// Tag files are kept in memory; together they may not be larger than this. A payload
    /// manifest that comes after bagit.txt (Kho's bags, and most others) is not kept: it is
    /// read into a table as it comes.
    public var maxTagFile: Int64
    /// The entries of payload manifests read into that table, and the files of a bag, at
    /// most: ten million, five times the 1.8 million of a 900,000-product archive's whole
    /// export. Memory no longer grows with them (the tables spill to disk); scratch space
    /// does, while the tables are merged: about 280 bytes a file at the most for a bag whose
    /// manifests come first, more when the payload comes first (its digests are kept in
    /// every algorithm).
    public var maxManifestEntries: Int
    /// Bytes each of a check's tables (names, manifest entries, payload digests, where files
    /// were unpacked) holds in memory before it is sorted into runs on disk.
    public var tableMemory: Int

    public init(maxExpansion: Double = 1000, floorBytes: Int64 = 1 << 30, maxEntrySize: Int64 = 1 << 40, maxTagFile: Int64 = 64 << 20,
                maxManifestEntries: Int = 10_000_000, tableMemory: Int = 8 << 20) {
        self.maxExpansion = maxExpansion
        self.floorBytes = floorBytes
        self.maxEntrySize = maxEntrySize
        self.maxTagFile = maxTagFile
        self.maxManifestEntries = maxManifestEntries
        self.tableMemory = tableMemory
    }
}

/// Each payload file's SHA-256 and the file it was unpacked to, by its path inside the bag:
/// a 16-byte key, 32 bytes of digest and a number per file, not the paths themselves, in a
/// table that spills to disk past its memory (KeyedRecords). Searched once sealed, from any thread.
public struct PayloadIndex: Sendable {
    /// Key | SHA-256 | the number of the file it was unpacked to (`folder`/%08d), 0 if none.
    private let table: KeyedRecords
    private let folder: String?

    public init(folder: String?, memory: Int = BagReadLimits().tableMemory, scratch: HostPath? = nil) {
        self.folder = folder
        table = KeyedRecords(width: 52, memoryBytes: memory, scratchIn: scratch ?? folder.map(HostPath.init) ?? SpillFile.temporaryFolder)
    }

    public var count: Int { table.count }

    func add(_ path: String, sha256: String, unpackedAs number: Int) throws(KhoError) {
        guard let digest = Hex.bytes(sha256), digest.count == 32 else { return }
        try table.append(KeyDigest(path)) { out in
            UnsafeMutableRawBufferPointer(rebasing: out[0..<32]).copyBytes(from: digest)
            out.storeBytes(of: UInt32(truncatingIfNeeded: number).littleEndian, toByteOffset: 32, as: UInt32.self)
        }
    }

    /// No more files: ready to be searched.
    func seal() throws(KhoError) { try table.seal() }

    /// The name a payload file is unpacked to.
    static func fileName(_ number: Int, in folder: String) -> String { "\(folder)/\(String(format: "%08d", number))" }

    public func sha256(_ path: String) throws(KhoError) -> String? {
        try table.find(KeyDigest(path)) { Hex.lower($0[16..<48]) }
    }

    /// Where the payload file was unpacked, if it was.
    public func unpacked(_ path: String) throws(KhoError) -> String? {
        guard let folder else { return nil }
        let number = try table.find(KeyDigest(path)) { Int($0.loadUnaligned(fromByteOffset: 48, as: UInt32.self).littleEndian) } ?? 0
        return number > 0 ? Self.fileName(number, in: folder) : nil
    }
}
