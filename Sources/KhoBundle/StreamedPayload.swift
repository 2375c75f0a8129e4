// A bag's payload manifests and payload files, checked against each other without keeping a
// path: each manifest's entries go into a table as their lines come, each payload file's
// digests into another as it is hashed; once the walk ends the tables are joined by path key
// (KeyedRecords: in memory for an ordinary bag, sorted runs on disk past that, so memory stays
// flat for a bag of millions of files). What the join finds names files by their number in
// the walk and entries by their number in their manifest; the caller reads those names again
// from the bag (a bag with no fault is read once).
//
// Manifests that come before the payload (Kho's, without --sha512) say which digests each
// file needs. When the payload comes first (other tools, Kho's --sha512 bags), or its
// manifests cannot be read as they come (before bagit.txt, or in UTF-16), each file's digests
// are kept in every algorithm it was hashed with (`late`); the manifests are read into their
// tables as they come once bagit.txt has been read, else kept whole and read at the end.

import Foundation
import KhoCore
import KhoPlatform

public struct StreamedPayload {
    struct Manifest {
        var name: String
        var algorithm: DigestAlgorithm
        /// Its file's number in the walk (to read its lines again for names).
        var ordinal: Int
        var lines: ManifestLines
        /// Key | entry number (4 bytes) | 1 when the manifest's text is not a digest of the
        /// algorithm's length (1 byte) | expected digest (the algorithm's bytes; zeros then).
        var entries: KeyedRecords
        /// The texts of the first such entries, for the messages (past those, one says so).
        var malformed: [UInt32: String] = [:]
        var width: Int { algorithm.byteCount }
    }

    var manifests: [Manifest] = []
    /// The payload came before any manifest: its files keep a digest in every algorithm they
    /// were hashed with, and manifests after it are read all the same.
    public let late: Bool
    private(set) var isV1: Bool
    private(set) var encoding: String.Encoding
    /// bagit.txt has been read: how to read the manifests is known.
    private(set) var declared: Bool
    private let memory: Int
    private let scratch: HostPath
    /// The manifest being read.
    private var current: Manifest?
    /// Key | file number (4 bytes) | one bit per column whose algorithm it was not hashed
    /// with (1 byte) | its digest in each column's algorithm, in the columns' order.
    private var files: KeyedRecords?
    /// The payload table's algorithms: the manifests' read before the first payload file, in
    /// their order; every algorithm when the payload comes first.
    private var columns: [DigestAlgorithm] = []
    /// Problems found while the manifests were read (the join's come from `join`).
    public private(set) var problems: [BagProblem] = []
    public private(set) var payloadFiles = 0
    public private(set) var payloadBytes: Int64 = 0
    /// Entries read so far, of every manifest.
    public private(set) var entries = 0
    /// This machine failed to keep a table (a full disk): not a fault of the bag.
    public private(set) var failure: KhoError?
    /// The manifests checked this way.
    public var names: Set<String> { Set(manifests.map(\.name)) }
    /// The algorithms the payload must be hashed with.
    public var algorithms: Set<DigestAlgorithm> { Set(manifests.map(\.algorithm)) }
    public var isEmpty: Bool { manifests.isEmpty }
    /// Bytes of a line not yet ended (held until its end comes).
    public var pendingLineBytes: Int { current?.lines.pending ?? 0 }

    /// Ready to read payload manifests as their bytes come, once bagit.txt (among `tags`, the
    /// tag files read so far) says how. Nil when it cannot be read, or declares an encoding
    /// whose lines cannot be cut on the bytes (UTF-16): the payload then goes `late`.
    /// `memory`: bytes each table holds before it spills to a scratch file in `scratch`.
    public init?(declaration tags: [String: BagFile], memory: Int, scratch: HostPath) {
        guard let bag = BagValidator.readingRules(tags), Self.cutsLines(bag.encoding) else { return nil }
        late = false
        isV1 = bag.isV1
        encoding = bag.encoding
        declared = true
        self.memory = memory
        self.scratch = scratch
    }

    /// For a payload that begins before any manifest was read (see `late`); bagit.txt (among
    /// `tags`) may not have come yet.
    public init(late tags: [String: BagFile], memory: Int, scratch: HostPath) {
        late = true
        isV1 = true
        encoding = .utf8
        declared = false
        self.memory = memory
        self.scratch = scratch
        declare(tags)
    }

    /// Reads bagit.txt (among `tags`) if that was not done yet. Returns whether manifests can
    /// now be read as their bytes come.
    @discardableResult
    public mutating func declare(_ tags: [String: BagFile]) -> Bool {
        if !declared, let bag = BagValidator.readingRules(tags) {
            isV1 = bag.isV1
            encoding = bag.encoding
            declared = true
        }
        return declared && Self.cutsLines(encoding)
    }

    /// Whether lines of this encoding can be cut on their bytes (not UTF-16).
    static func cutsLines(_ encoding: String.Encoding) -> Bool { [.utf8, .ascii, .isoLatin1].contains(encoding) }

    /// A payload manifest begins (`ordinal`: its number in the walk). False when its algorithm
    /// is not one Kho checks, or one already read this way (a second manifest of one
    /// algorithm is a name the walk refuses), or when it comes after payload files that were
    /// not hashed for it, or cannot be read as its bytes come: the caller keeps it whole.
    /// `text`: its lines come as UTF-8 whatever the bag declares (a manifest kept whole).
    public mutating func beginManifest(_ name: String, ordinal: Int, text: Bool = false) -> Bool {
        endManifest()
        guard text ? declared : declared && Self.cutsLines(encoding), BagValidator.isPayloadManifest(name),
              let algorithm = BagValidator.manifestAlgorithm(name).algorithm,
              !manifests.contains(where: { $0.algorithm == algorithm }), files == nil || columns.contains(algorithm) else { return false }
        current = Manifest(name: name, algorithm: algorithm, ordinal: ordinal,
                           lines: ManifestLines(name: name, isV1: isV1, encoding: text ? .utf8 : encoding),
                           entries: KeyedRecords(width: 21 + algorithm.byteCount, memoryBytes: memory / 2, scratchIn: scratch))
        return true
    }

    /// The next bytes of the manifest begun: each complete line read into its table.
    public mutating func manifestBytes(_ chunk: UnsafeRawBufferPointer) {
        guard var m = current else { return }
        current = nil
        defer { current = m }
        var lines = m.lines
        var read: [(UInt32, String, String)] = []
        lines.feed(chunk, problems: &problems) { read.append(($0, $1, $2)) }
        m.lines = lines
        for (number, path, digest) in read { add(number, path, digest, to: &m) }
    }

    /// A payload manifest kept whole (it came before bagit.txt, or the bag declares UTF-16),
    /// read into its table once the walk has ended (`declare` first). False when it cannot be
    /// (see `beginManifest`).
    public mutating func readKept(_ name: String, ordinal: Int, content: [UInt8]) -> Bool {
        // Lines cut on the bytes are read as they are; UTF-16 is made UTF-8 first (one copy).
        let cuts = Self.cutsLines(encoding)
        guard late, declared, beginManifest(name, ordinal: ordinal, text: !cuts) else { return false }
        if cuts {
            content.withUnsafeBytes { manifestBytes($0) }
        } else {
            var text = String(bytes: content, encoding: encoding) ?? String(decoding: content, as: UTF8.self)
            text.withUTF8 { manifestBytes(UnsafeRawBufferPointer($0)) }
        }
        endManifest()
        return true
    }

    /// The manifest begun is complete.
    public mutating func endManifest() {
        guard var m = current else { return }
        current = nil
        var read: [(UInt32, String, String)] = []
        m.lines.end(problems: &problems) { read.append(($0, $1, $2)) }
        for (number, path, digest) in read { add(number, path, digest, to: &m) }
        manifests.append(m)
    }

    private mutating func add(_ number: UInt32, _ path: String, _ digest: String, to m: inout Manifest) {
        guard failure == nil else { return }
        entries += 1
        let expected = Hex.bytes(digest).flatMap { $0.count == m.width ? $0 : nil }
        // Kept for the message; past a few, a hostile manifest's texts are not (the bag is
        // invalid whatever they say: no file's digest can match).
        if expected == nil && m.malformed.count < BagValidator.maxProblems { m.malformed[number] = String(digest.prefix(200)) }
        do throws(KhoError) {
            try m.entries.append(KeyDigest(path)) { out in
                out.storeBytes(of: number.littleEndian, toByteOffset: 0, as: UInt32.self)
                if let expected { UnsafeMutableRawBufferPointer(rebasing: out[5...]).copyBytes(from: expected) } else { out[4] = 1 }
            }
        } catch {
            failure = error
        }
    }

    /// One payload file, read whole (`ordinal`: its number in the walk): its digests (hex).
    public mutating func file(_ path: String, ordinal: Int, size: Int64, digests: [DigestAlgorithm: String]) {
        payloadFiles += 1
        payloadBytes += size
        guard failure == nil else { return }
        if files == nil {
            endManifest()
            columns = late ? DigestAlgorithm.allCases : manifests.map(\.algorithm)
            files = KeyedRecords(width: 21 + columns.reduce(0) { $0 + $1.byteCount }, memoryBytes: memory, scratchIn: scratch)
        }
        let columns = self.columns
        do throws(KhoError) {
            try files!.append(KeyDigest(path)) { out in
                out.storeBytes(of: UInt32(truncatingIfNeeded: ordinal).littleEndian, toByteOffset: 0, as: UInt32.self)
                var absent: UInt8 = 0
                var at = 5
                for (i, algorithm) in columns.enumerated() {
                    let width = algorithm.byteCount
                    if let hex = digests[algorithm], let bytes = Hex.bytes(hex), bytes.count == width {
                        UnsafeMutableRawBufferPointer(rebasing: out[at..<at + width]).copyBytes(from: bytes)
                    } else {
                        absent |= 1 << i
                    }
                    at += width
                }
                out[4] = absent
            }
        } catch {
            failure = error
        }
    }

    /// What the manifests and the payload say of each other once the walk has ended: each
    /// fault, without names yet. Keeps the first `BagValidator.maxProblems` (+1) in the bag's
    /// order: the manifests' repeated entries, then file by file, then entries whose file
    /// never came.
    public mutating func join() throws(KhoError) -> PayloadFindings {
        endManifest()
        if let failure { throw failure }
        var found = PayloadFindings()
        // Each manifest's digest in a payload record: its column's bit and where its bytes begin.
        let places = manifests.map { m -> (bit: UInt8, at: Int)? in
            guard let c = columns.firstIndex(of: m.algorithm) else { return nil }
            return (1 << c, 21 + columns[..<c].reduce(0) { $0 + $1.byteCount })
        }
        let cursors = try manifests.map { (m) throws(KhoError) in try m.entries.cursor() }
        let fileCursor = try files?.cursor()
        // Each stream's next record (nil when it has ended).
        var heads = try cursors.map { (c) throws(KhoError) in try c.next() }
        var fileHead = try fileCursor?.next()
        func key(_ record: UnsafeRawBufferPointer) -> KeyedRecords.Key { KeyedRecords.Key(record) }
        // Each manifest's first entry of the key at hand: its number, its digest bytes, and the
        // text it has instead when it is not a digest.
        var firsts: [(number: UInt32, digest: [UInt8], malformed: String?)?] = Array(repeating: nil, count: manifests.count)
        func malformed(_ entry: UnsafeRawBufferPointer, _ number: UInt32, _ m: Manifest) -> String? {
            entry[20] == 0 ? nil : m.malformed[number] ?? "(not a digest)"
        }
        while true {
            var lowest = fileHead.map(key)
            for head in heads {
                guard let head else { continue }
                let k = key(head)
                if lowest == nil || k < lowest! { lowest = k }
            }
            guard let k = lowest else { break }
            for i in manifests.indices {
                firsts[i] = nil
                while let head = heads[i], key(head) == k {
                    let number = head.loadUnaligned(fromByteOffset: 16, as: UInt32.self).littleEndian
                    let text = malformed(head, number, manifests[i])
                    if let first = firsts[i] {
                        let same = first.malformed == nil && text == nil ? head[21...].elementsEqual(first.digest)
                            : first.malformed?.lowercased() == text?.lowercased()
                        found.add(.listedTwice(manifest: i, entry: number, differs: !same), isV1: isV1)
                    } else {
                        firsts[i] = (number, Array(head[21...]), text)
                    }
                    heads[i] = try cursors[i].next()
                }
            }
            var hadFile = false
            while let head = fileHead, key(head) == k {
                hadFile = true
                let ordinal = Int(head.loadUnaligned(fromByteOffset: 16, as: UInt32.self).littleEndian)
                let absent = head[20]
                var listed = false
                for (i, m) in manifests.enumerated() {
                    guard let first = firsts[i] else {
                        if isV1 { found.add(.notInManifest(file: ordinal, manifest: i), isV1: isV1) }
                        continue
                    }
                    listed = true
                    guard let place = places[i], absent & place.bit == 0 else {
                        found.add(.uncheckable(file: ordinal, manifest: i), isV1: isV1)
                        continue
                    }
                    let actual = head[place.at..<place.at + m.width]
                    if let text = first.malformed {
                        found.add(.differs(file: ordinal, manifest: i, actual: Hex.lower(actual), expected: text), isV1: isV1)
                    } else if !actual.elementsEqual(first.digest) {
                        found.add(.differs(file: ordinal, manifest: i, actual: Hex.lower(actual), expected: Hex.lower(first.digest)), isV1: isV1)
                    }
                }
                if !isV1 && !listed && !manifests.isEmpty { found.add(.inNoManifest(file: ordinal), isV1: isV1) }
                fileHead = try fileCursor?.next()
            }
            if !hadFile {
                for i in manifests.indices {
                    if let first = firsts[i] { found.add(.missing(manifest: i, entry: first.number), isV1: isV1) }
                }
            }
        }
        return found
    }

    /// The manifest's name and its file's number in the walk.
    public func manifest(_ index: Int) -> (name: String, ordinal: Int) { (manifests[index].name, manifests[index].ordinal) }

    /// A manifest's algorithm.
    public func algorithm(_ index: Int) -> DigestAlgorithm { manifests[index].algorithm }

    /// What the rest of a bag's check needs of the payload read this way.
    public var summary: StreamedPayloadSummary {
        let files = self.files
        return StreamedPayloadSummary(payloadFiles: payloadFiles, payloadBytes: payloadBytes, names: names) { path in
            guard let files else { return false }
            return ((try? files.find(KeyDigest(path)) { _ in true }) ?? nil) ?? false
        }
    }
}

/// What the join of the manifests read ahead with the payload found, named by numbers.
public struct PayloadFindings {
    public enum Finding {
        case listedTwice(manifest: Int, entry: UInt32, differs: Bool)
        case notInManifest(file: Int, manifest: Int)
        case inNoManifest(file: Int)
        case uncheckable(file: Int, manifest: Int)
        case differs(file: Int, manifest: Int, actual: String, expected: String)
        case missing(manifest: Int, entry: UInt32)

        /// The bag's order: repeated entries, then file by file, then entries never found.
        var place: (Int, Int, Int) {
            switch self {
            case .listedTwice(let m, let e, _): (0, m, Int(e))
            case .notInManifest(let f, let m), .uncheckable(let f, let m), .differs(let f, let m, _, _): (1, f, m)
            case .inNoManifest(let f): (1, f, Int.max)
            case .missing(let m, let e): (2, m, Int(e))
            }
        }
    }

    /// The first faults in the bag's order, with whether each is an error.
    public private(set) var kept: [(finding: Finding, error: Bool)] = []
    /// A fault past those kept was an error.
    public private(set) var droppedError = false
    public private(set) var dropped = 0

    mutating func add(_ finding: Finding, isV1: Bool) {
        let error: Bool
        if case .listedTwice(_, _, let differs) = finding { error = differs || isV1 } else { error = true }
        kept.append((finding, error))
        if kept.count >= 4 * (BagValidator.maxProblems + 1) { trim() }
    }

    /// Sorted in the bag's order, past the first maxProblems + 1 let go (counted).
    mutating func trim() {
        kept.sort { $0.finding.place < $1.finding.place }
        let keep = BagValidator.maxProblems + 1
        guard kept.count > keep else { return }
        droppedError = droppedError || kept[keep...].contains { $0.error }
        dropped += kept.count - keep
        kept.removeLast(kept.count - keep)
    }

    public var isEmpty: Bool { kept.isEmpty }
}
