// Payload manifests read before the payload they list (Kho writes its manifest first): each
// payload file is checked against them as it is read, so what stays in memory is a 16-byte key
// and the expected digest per manifest entry, not every file's path nor the manifest's text.
// A bag whose manifests come after its payload is checked the general way (BagValidator).

import Foundation

public struct StreamedPayload: Sendable {
    struct Manifest: Sendable {
        var name: String
        var algorithm: DigestAlgorithm
        /// The entry's key → its number. A String's hash is that of its canonical form, so a
        /// path in NFD and the same path in NFC have one key.
        var index: [KeyDigest: Int32] = [:]
        /// Expected digests, `width` bytes per entry, in entry order.
        var digests: [UInt8] = []
        var width: Int
        /// Entries whose file was read.
        var seen: [Bool] = []
        /// Entries whose digest is not hex of the algorithm's length: the text, for the message.
        var malformed: [Int32: String] = [:]
    }

    var manifests: [Manifest] = []
    let isV1: Bool
    let encoding: String.Encoding
    /// The manifest being read, and its line not yet ended.
    private var current: Manifest?
    private var line: [UInt8] = []
    /// No line of the current manifest has been read yet (a byte-order mark may open it).
    private var firstLine = true
    /// Problems found so far: in the manifests, then file by file.
    public private(set) var problems: [BagProblem] = []
    public private(set) var payloadFiles = 0
    public private(set) var payloadBytes: Int64 = 0
    /// The manifests checked this way.
    public var names: Set<String> { Set(manifests.map(\.name)) }
    /// The algorithms the payload must be hashed with.
    public var algorithms: Set<DigestAlgorithm> { Set(manifests.map(\.algorithm)) }
    public var isEmpty: Bool { manifests.isEmpty }
    /// Entries read so far, of every manifest.
    public var entries: Int { manifests.reduce(current?.seen.count ?? 0) { $0 + $1.seen.count } }
    /// Bytes of a line not yet ended (held until its end comes).
    public var pendingLineBytes: Int { line.count }

    /// Ready to read payload manifests as their bytes come, once bagit.txt (among `tags`, the
    /// tag files read so far) says how. Nil when it cannot be read, or declares an encoding
    /// whose lines cannot be cut on the bytes (UTF-16): the bag is then checked the general way.
    public init?(declaration tags: [String: BagFile]) {
        var check = BagCheck(version: nil, problems: [], payloadFiles: 0, payloadBytes: 0, info: [])
        var ignored: [BagProblem] = []
        guard let bag = BagValidator.declaration(tags, check: &check, problems: &ignored),
              [.utf8, .ascii, .isoLatin1].contains(bag.encoding) else { return nil }
        isV1 = bag.isV1
        encoding = bag.encoding
    }

    /// A payload manifest begins. False when its algorithm is not one Kho checks: the caller
    /// keeps it for the general check, which says so.
    public mutating func beginManifest(_ name: String) -> Bool {
        endManifest()
        guard BagValidator.isPayloadManifest(name), let algorithm = BagValidator.manifestAlgorithm(name).algorithm else { return false }
        current = Manifest(name: name, algorithm: algorithm, width: algorithm.byteCount)
        firstLine = true
        return true
    }

    /// The next bytes of the manifest begun: each complete line read into the table.
    public mutating func manifestBytes(_ chunk: UnsafeRawBufferPointer) {
        var start = 0
        for (i, byte) in chunk.enumerated() where byte == 10 || byte == 13 {
            line.append(contentsOf: chunk[start..<i])
            entry()
            start = i + 1
        }
        line.append(contentsOf: chunk[start...])
    }

    /// The manifest begun is complete.
    public mutating func endManifest() {
        guard current != nil else { return }
        entry()
        manifests.append(current!)
        current = nil
    }

    /// The line gathered so far, read into the current manifest's table.
    private mutating func entry() {
        defer { line.removeAll(keepingCapacity: true) }
        if firstLine, line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        firstLine = false
        guard !line.isEmpty, var m = current else { return }
        current = nil
        defer { current = m }
        let text = encoding == .utf8 ? String(decoding: line, as: UTF8.self) : String(bytes: line, encoding: encoding) ?? String(decoding: line, as: UTF8.self)
        guard let (path, digest) = BagValidator.manifestEntry(text, name: m.name, isV1: isV1, problems: &problems) else { return }
        let key = KeyDigest(path)
        let expected = Hex.bytes(digest).flatMap { $0.count == m.width ? $0 : nil }
        if let earlier = m.index[key] {
            let same = expected.map { m.digests[Int(earlier) * m.width..<(Int(earlier) + 1) * m.width].elementsEqual($0) }
                ?? (m.malformed[earlier]?.lowercased() == digest.lowercased())
            BagValidator.add(!same ? .error("\(m.name): \(path) is listed twice with different digests")
                             : isV1 ? .error("\(m.name): \(path) is listed twice") : .warning("\(m.name): \(path) is listed twice"), to: &problems)
            return
        }
        guard BagValidator.scopedPath(path, under: "data/") != nil else {
            BagValidator.add(.error("\(m.name): \(path) is outside the payload (data/)"), to: &problems)
            return
        }
        let number = Int32(m.seen.count)
        m.index[key] = number
        m.seen.append(false)
        if let expected {
            m.digests += expected
        } else {
            m.digests += repeatElement(0, count: m.width)
            // Kept for the message; past a few, a hostile manifest's texts are not (the bag is
            // invalid whatever they say: no file's digest can match).
            m.malformed[number] = m.malformed.count < BagValidator.maxProblems ? String(digest.prefix(200)) : "(not a digest)"
        }
    }

    /// One payload file, read whole: its digests (hex) against every manifest.
    public mutating func file(_ path: String, size: Int64, digests: [DigestAlgorithm: String]) {
        payloadFiles += 1
        payloadBytes += size
        let key = KeyDigest(path)
        var listed = false
        for i in manifests.indices {
            guard let n = manifests[i].index[key] else {
                if isV1 { BagValidator.add(.error("\(path) is in the payload but not in \(manifests[i].name)"), to: &problems) }
                continue
            }
            listed = true
            manifests[i].seen[Int(n)] = true
            let m = manifests[i]
            guard let actual = digests[m.algorithm] else {
                BagValidator.add(.error("\(m.name): \(path) could not be checked with \(m.algorithm.rawValue) in one pass"), to: &problems)
                continue
            }
            let start = Int(n) * m.width
            if let text = m.malformed[n] {
                BagValidator.add(.error("\(m.name): \(path) has \(m.algorithm.rawValue) \(actual), the manifest says \(text)"), to: &problems)
            } else if !Hex.matches(actual, m.digests[start..<start + m.width]) {
                BagValidator.add(.error("\(m.name): \(path) has \(m.algorithm.rawValue) \(actual), the manifest says \(Hex.lower(m.digests[start..<start + m.width]))"), to: &problems)
            }
        }
        if !isV1 && !listed { BagValidator.add(.error("\(path) is in the payload but in no manifest"), to: &problems) }
    }

    /// Whether a payload file of this path was read and listed.
    public func holds(_ path: String) -> Bool {
        let key = KeyDigest(path)
        return manifests.contains { m in m.index[key].map { m.seen[Int($0)] } ?? false }
    }

    /// How many entries of each manifest name a file that was never read.
    public var unseenCounts: [String: Int] {
        var out: [String: Int] = [:]
        for m in manifests {
            let count = m.seen.lazy.filter { !$0 }.count
            if count > 0 { out[m.name] = count }
        }
        return out
    }

    /// Problems for the entries whose file never came, named from the manifests' texts read
    /// again (`text`: a manifest's bytes, nil when they cannot be had; then only counted).
    public func missing(_ text: (String) -> [UInt8]?) -> [BagProblem] {
        var out: [BagProblem] = []
        for m in manifests where m.seen.contains(false) {
            guard let bytes = text(m.name) else {
                out.append(.error("\(m.name): \(m.seen.lazy.filter { !$0 }.count) listed file(s) are not in the bag"))
                continue
            }
            var ignored: [BagProblem] = []
            var named: Set<KeyDigest> = []
            let decoded = String(bytes: bytes, encoding: self.encoding) ?? String(decoding: bytes, as: UTF8.self)
            BagValidator.forEachManifestEntry(decoded, name: m.name, isV1: isV1, problems: &ignored) { path, _ in
                let key = KeyDigest(path)
                guard let n = m.index[key], !m.seen[Int(n)], named.insert(key).inserted else { return }
                out.append(.error("\(m.name): \(path) is listed but not in the bag"))
            }
        }
        return out
    }
}

extension DigestAlgorithm {
    /// The digest's length in bytes.
    public var byteCount: Int {
        switch self {
        case .md5: 16
        case .sha1: 20
        case .sha224: 28
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }
}
