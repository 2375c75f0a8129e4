// Checks a bag against RFC 8493 (and the BagIt drafts 0.93–0.97 still in use) from what a
// single pass over a serialized bag collected: every file's path, size and digests, and the
// bytes of the tag files. Pure: reading the archive and hashing happen in KhoBundle.
import Foundation

public enum DigestAlgorithm: String, Sendable, CaseIterable, Hashable {
    case md5, sha1, sha224, sha256, sha384, sha512
}

public struct BagFile: Sendable {
    public var size: Int64
    public var digests: [DigestAlgorithm: String]
    /// The bytes of a tag file (a file outside data/), kept for parsing.
    public var content: [UInt8]?

    public init(size: Int64, digests: [DigestAlgorithm: String], content: [UInt8]?) {
        self.size = size
        self.digests = digests
        self.content = content
    }
}

public struct BagProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var severity: Severity
    public var message: String

    public static func error(_ m: String) -> BagProblem { BagProblem(severity: .error, message: m) }
    public static func warning(_ m: String) -> BagProblem { BagProblem(severity: .warning, message: m) }
    public var description: String { "\(severity.rawValue): \(message)" }
}

public struct BagCheck: Sendable {
    public var version: String?
    public var problems: [BagProblem]
    public var payloadFiles: Int
    public var payloadBytes: Int64
    public var info: [(label: String, value: String)]
    public var isValid: Bool { !problems.contains { $0.severity == .error } }

    public init(version: String?, problems: [BagProblem], payloadFiles: Int, payloadBytes: Int64, info: [(label: String, value: String)]) {
        self.version = version
        self.problems = problems
        self.payloadFiles = payloadFiles
        self.payloadBytes = payloadBytes
        self.info = info
    }
}

public enum BagValidator {
    /// `files`: every regular file of the bag by its path relative to the bag's folder, with the
    /// digests its bytes were hashed with (a manifest in another algorithm cannot be checked and
    /// is reported).
    ///
    /// `streamed`: the payload already checked against the manifests that came before it
    /// (`files` then holds no payload file); its problems, missing entries included, are the
    /// caller's to add.
    public static func check(files: [String: BagFile], streamed: StreamedPayloadSummary? = nil) -> BagCheck {
        var problems: [BagProblem] = []
        var check = BagCheck(version: nil, problems: [], payloadFiles: 0, payloadBytes: 0, info: [])
        guard var bag = declaration(files, check: &check, problems: &problems) else {
            check.problems = problems
            return check
        }
        // Payload: files under data/ (a trailing slash-free relative path). An empty payload is
        // allowed; the folder itself may be absent from an archive.
        if let streamed {
            check.payloadFiles = streamed.payloadFiles
            check.payloadBytes = streamed.payloadBytes
            bag.holdsPayload = streamed.holds
            // A manifest that came after the payload cannot be checked: the files were not kept.
            let kept = files.keys.filter(isPayloadManifest).sorted()
            for name in kept where !streamed.names.contains(name) {
                let (algorithmName, algorithm) = manifestAlgorithm(name)
                problems.append(algorithm == nil
                    ? .warning("\(name): algorithm '\(algorithmName)' is not one Kho checks; skipped")
                    : .error("\(name) comes after the payload files it lists; Kho reads a bag in one pass and could not check it"))
            }
            if kept.isEmpty && streamed.names.isEmpty {
                problems.append(.error("no payload manifest (manifest-<algorithm>.txt)"))
            } else if streamed.names.isEmpty && kept.allSatisfy({ manifestAlgorithm($0).algorithm == nil }) {
                problems.append(.error("no payload manifest in an algorithm Kho checks (md5, sha1, sha224, sha256, sha384, sha512): nothing in the payload can be verified"))
            }
        } else {
            let payload = files.filter { $0.key.hasPrefix("data/") }
            check.payloadFiles = payload.count
            check.payloadBytes = payload.values.reduce(0) { $0 + $1.size }
            payloadManifests(bag, payload: payload, problems: &problems)
        }
        tagManifests(bag, problems: &problems)
        // bag-info.txt (package-info.txt before 0.96): Payload-Oxum.
        if let infoText = bag.text("bag-info.txt") ?? bag.text("package-info.txt") {
            let parsed = parseTagLines(infoText, strict: false)
            check.info = parsed.fields
            problems += parsed.problems.map { .warning("bag-info.txt: \($0)") }
            if let oxum = parsed.fields.first(where: { $0.label == "Payload-Oxum" })?.value {
                let parts = oxum.split(separator: ".")
                if parts.count != 2 || Int64(parts[0]) == nil || Int(parts[1]) == nil {
                    problems.append(.error("bag-info.txt: Payload-Oxum '\(oxum)' is not octets.count"))
                } else if Int64(parts[0]) != check.payloadBytes || Int(parts[1]) != check.payloadFiles {
                    problems.append(.error("Payload-Oxum says \(oxum); the payload has \(check.payloadBytes) bytes in \(check.payloadFiles) files"))
                }
            }
        }
        fetchList(bag, problems: &problems)
        check.problems = problems
        return check
    }

    /// How bagit.txt (among `tags`) says the bag's tag files are read: nil when it cannot be read.
    public static func readingRules(_ tags: [String: BagFile]) -> (isV1: Bool, encoding: String.Encoding)? {
        var check = BagCheck(version: nil, problems: [], payloadFiles: 0, payloadBytes: 0, info: [])
        var ignored: [BagProblem] = []
        return declaration(tags, check: &check, problems: &ignored).map { ($0.isV1, $0.encoding) }
    }

    /// A bag's files with what its declaration says about reading them.
    struct Bag {
        var files: [String: BagFile]
        var isV1: Bool
        var encoding: String.Encoding
        /// Whether the payload holds a file (by default: among `files`).
        var holdsPayload: ((String) -> Bool)?

        /// A tag file's text, in the bag's declared encoding.
        func text(_ path: String) -> String? {
            guard let bytes = files[path]?.content else { return nil }
            return String(data: Data(bytes), encoding: encoding) ?? String(decoding: bytes, as: UTF8.self)
        }
    }

    /// bagit.txt: UTF-8, no BOM, exactly "Label: value" lines, a version and an encoding. Nil
    /// when the bag cannot be read further.
    static func declaration(_ files: [String: BagFile], check: inout BagCheck, problems: inout [BagProblem]) -> Bag? {
        guard let declaration = files["bagit.txt"]?.content else {
            problems = [.error("bagit.txt is missing: this is not a bag")]
            return nil
        }
        if declaration.starts(with: [0xEF, 0xBB, 0xBF]) { problems.append(.error("bagit.txt starts with a byte-order mark, which BagIt forbids")) }
        let declared = parseTagLines(String(decoding: declaration, as: UTF8.self), strict: true)
        problems += declared.problems.map { .error("bagit.txt: \($0)") }
        let version = declared.fields.first { $0.label == "BagIt-Version" }?.value
        check.version = version
        guard let version, version.range(of: #"^[0-9]+\.[0-9]+$"#, options: .regularExpression) != nil else {
            problems.append(.error("bagit.txt: BagIt-Version '\(version ?? "")' is not a version like 1.0 or 0.97"))
            return nil
        }
        let encodingName = declared.fields.first { $0.label == "Tag-File-Character-Encoding" }?.value
        if encodingName == nil { problems.append(.error("bagit.txt: Tag-File-Character-Encoding is missing")) }
        if let encodingName, stringEncoding(encodingName) == nil {
            problems.append(.error("bagit.txt: Tag-File-Character-Encoding '\(encodingName)' is not one Kho can read"))
        }
        return Bag(files: files, isV1: version.hasPrefix("1."), encoding: encodingName.flatMap(stringEncoding) ?? .utf8, holdsPayload: nil)
    }

    /// Every payload manifest: each entry present with its digest, and (v1.0) every payload
    /// file in every manifest; before v1.0, in at least one.
    static func payloadManifests(_ bag: Bag, payload: [String: BagFile], problems: inout [BagProblem]) {
        let manifestNames = bag.files.keys.filter(isPayloadManifest).sorted()
        if manifestNames.isEmpty { problems.append(.error("no payload manifest (manifest-<algorithm>.txt)")) }
        var listedSomewhere: Set<String> = []
        var checked = 0
        for name in manifestNames {
            let (algorithmName, known) = manifestAlgorithm(name)
            guard let algorithm = known else {
                problems.append(.warning("\(name): algorithm '\(algorithmName)' is not one Kho checks; skipped"))
                continue
            }
            checked += 1
            let listedHere = checkManifest(name, algorithm: algorithm, bag: bag, problems: &problems)
            listedSomewhere.formUnion(listedHere)
            if bag.isV1 {
                for path in unlisted(payload, in: listedHere) { add(.error("\(path) is in the payload but not in \(name)"), to: &problems) }
            }
        }
        if !manifestNames.isEmpty && checked == 0 {
            problems.append(.error("no payload manifest in an algorithm Kho checks (md5, sha1, sha224, sha256, sha384, sha512): nothing in the payload can be verified"))
        } else if !bag.isV1 {
            for path in unlisted(payload, in: listedSomewhere) { add(.error("\(path) is in the payload but in no manifest"), to: &problems) }
        }
    }

    /// The most problems a check lists: a hostile bag of a few kilobytes may hold millions of
    /// bad manifest lines. Past it one more says there were more (an error if any was).
    public static let maxProblems = 1000

    /// Adds a problem unless `maxProblems` are listed already.
    public static func add(_ problem: BagProblem, to problems: inout [BagProblem]) {
        if problems.count < maxProblems {
            problems.append(problem)
        } else if problems.count == maxProblems {
            problems.append(problem.severity == .error ? .error("more problems were found than are listed here") : .warning("more problems were found than are listed here"))
        } else if problem.severity == .error && problems[maxProblems].severity != .error {
            problems[maxProblems] = .error("more problems were found than are listed here")
        }
    }

    /// The payload files a manifest does not list (even in the other normalisation form), sorted.
    private static func unlisted(_ payload: [String: BagFile], in listed: Set<String>) -> [String] {
        payload.keys.filter { !listed.contains($0) && !listed.contains($0.precomposedStringWithCanonicalMapping) }.sorted()
    }

    /// One payload manifest's entries against the files; returns the paths it lists.
    static func checkManifest(_ name: String, algorithm: DigestAlgorithm, bag: Bag, problems: inout [BagProblem]) -> Set<String> {
        var listedHere: Set<String> = []
        var seen: [String: String] = [:]
        for (path, digest) in parseManifest(bag.text(name) ?? "", name: name, isV1: bag.isV1, problems: &problems) {
            if let earlier = seen[path] {
                if earlier.lowercased() != digest.lowercased() {
                    add(.error("\(name): \(path) is listed twice with different digests"), to: &problems)
                } else {
                    add(bag.isV1 ? .error("\(name): \(path) is listed twice") : .warning("\(name): \(path) is listed twice"), to: &problems)
                }
                continue
            }
            seen[path] = digest
            guard let scoped = scopedPath(path, under: "data/") else {
                add(.error("\(name): \(path) is outside the payload (data/)"), to: &problems)
                continue
            }
            listedHere.insert(scoped)
            guard let file = bag.files[scoped] ?? bag.files[nfcMatch(scoped, in: bag.files)] else {
                add(.error("\(name): \(scoped) is listed but not in the bag"), to: &problems)
                continue
            }
            guard let actual = file.digests[algorithm] else {
                add(.error("\(name): \(scoped) could not be checked with \(algorithm.rawValue) in one pass (the manifest came after the file)"), to: &problems)
                continue
            }
            if actual != digest && actual.lowercased() != digest.lowercased() {
                add(.error("\(name): \(scoped) has \(algorithm.rawValue) \(actual), the manifest says \(digest)"), to: &problems)
            }
        }
        return listedHere
    }

    /// Every tag manifest: each entry a tag file of this bag, with its digest.
    static func tagManifests(_ bag: Bag, problems: inout [BagProblem]) {
        for name in bag.files.keys.filter({ $0.hasPrefix("tagmanifest-") && $0.hasSuffix(".txt") && !$0.utf8.contains(UInt8(ascii: "/")) }).sorted() {
            let (algorithmName, known) = manifestAlgorithm(name)
            guard let algorithm = known else {
                add(.warning("\(name): algorithm '\(algorithmName)' is not one Kho checks; skipped"), to: &problems)
                continue
            }
            for (path, digest) in parseManifest(bag.text(name) ?? "", name: name, isV1: bag.isV1, problems: &problems) {
                guard let scoped = scopedPath(path, under: nil), !scoped.hasPrefix("data/") else {
                    add(.error("\(name): \(path) is not a tag file of this bag"), to: &problems)
                    continue
                }
                guard let file = bag.files[scoped] else {
                    add(.error("\(name): \(scoped) is listed but not in the bag"), to: &problems)
                    continue
                }
                guard let actual = file.digests[algorithm] else {
                    add(.warning("\(name): \(scoped) was not hashed with \(algorithm.rawValue) (a large tag file); not checked"), to: &problems)
                    continue
                }
                if actual.lowercased() != digest.lowercased() {
                    add(.error("\(name): \(scoped) has \(algorithm.rawValue) \(actual), the tag manifest says \(digest)"), to: &problems)
                }
            }
        }
    }

    /// fetch.txt: Kho never fetches; every file it names must already be here and in scope.
    static func fetchList(_ bag: Bag, problems: inout [BagProblem]) {
        guard let fetch = bag.text("fetch.txt") else { return }
        for line in fetch.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard fields.count == 3 else { add(.error("fetch.txt: '\(line)' is not 'URL LENGTH PATH'"), to: &problems); continue }
            let path = bag.isV1 ? BagIt.decodePath(String(fields[2])) : String(fields[2])
            guard let scoped = scopedPath(path, under: "data/") else {
                add(.error("fetch.txt: \(path) is outside the payload (data/)"), to: &problems)
                continue
            }
            if !(bag.holdsPayload?(scoped) ?? (bag.files[scoped] != nil)) { add(.error("fetch.txt: \(scoped) is to be fetched; Kho does not fetch, so the bag is incomplete"), to: &problems) }
        }
    }

    /// A manifest's `digest path` lines. md5sum's binary marker (`*path`) and a leading `./`
    /// are accepted with a warning; v1.0 paths are percent-decoded.
    static func parseManifest(_ text: String, name: String, isV1: Bool, problems: inout [BagProblem]) -> [(path: String, digest: String)] {
        var out: [(String, String)] = []
        forEachManifestEntry(text, name: name, isV1: isV1, problems: &problems) { out.append(($0, $1)) }
        return out
    }

    /// A payload manifest's name: manifest-<algorithm>.txt at the top of the bag.
    public static func isPayloadManifest(_ name: String) -> Bool {
        name.hasPrefix("manifest-") && name.hasSuffix(".txt") && !name.utf8.contains(UInt8(ascii: "/"))
    }

    /// The algorithm a (tag) manifest's name gives, as written and as Kho knows it (nil: one
    /// Kho does not check). `name` is manifest-<algorithm>.txt or tagmanifest-<algorithm>.txt.
    public static func manifestAlgorithm(_ name: String) -> (name: String, algorithm: DigestAlgorithm?) {
        let written = String(name.dropFirst(name.hasPrefix("tag") ? "tagmanifest-".count : "manifest-".count).dropLast(".txt".count))
        return (written, DigestAlgorithm(rawValue: written.lowercased()))
    }

    /// `parseManifest` one entry at a time, without a table of them all.
    static func forEachManifestEntry(_ text: String, name: String, isV1: Bool, problems: inout [BagProblem], _ body: (String, String) -> Void) {
        // Lines end in "\n", "\r\n" or "\r": split on the bytes (blank lines are skipped anyway).
        for bytes in text.utf8.split(whereSeparator: { $0 == 10 || $0 == 13 }) {
            if let (path, digest) = manifestEntry(String(Substring(bytes)), name: name, isV1: isV1, problems: &problems) { body(path, digest) }
        }
    }

    /// One line of a manifest (without its line end): its path and digest, nil for a blank
    /// line or one that is not `digest path` (then with a problem).
    public static func manifestEntry(_ line: String, name: String, isV1: Bool, problems: inout [BagProblem]) -> (path: String, digest: String)? {
        let bytes = line.utf8
        // Blank: nothing but spaces and tabs (or other Unicode spaces). An ASCII byte that is
        // neither says at once that it is not (every line of a manifest has its hex digest).
        if !bytes.contains(where: { $0 < 0x80 && $0 != 32 && $0 != 9 }),
           bytes.allSatisfy({ $0 == 32 || $0 == 9 }) || line.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        guard let split = bytes.firstIndex(where: { $0 == 32 || $0 == 9 }) else {
            add(.error("\(name): '\(line)' is not 'digest path'"), to: &problems)
            return nil
        }
        let digest = String(line[..<split])
        var path = String(line[split...].drop { $0 == " " || $0 == "\t" })
        if path.hasPrefix("*") {
            path.removeFirst()
            add(.warning("\(name): '*\(path)' is written as md5sum's binary mode"), to: &problems)
        }
        if path.hasPrefix("./") {
            path.removeFirst(2)
            add(.warning("\(name): ./\(path) starts with ./"), to: &problems)
        }
        if isV1 { path = BagIt.decodePath(path) }
        return (path, digest)
    }

    /// The path if it stays inside the bag (and under `prefix` when given); nil for absolute
    /// paths, `~`, `..` or a drive letter.
    public static func scopedPath(_ path: String, under prefix: String?) -> String? {
        if path.hasPrefix("/") || path.hasPrefix("~") || path.hasPrefix("\\") || contains(path, ":\\") || contains(path, "%HomeDrive%") { return nil }
        // No part may be empty or "..": checked on the bytes, without splitting.
        let bytes = Array(path.utf8)
        var partStart = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
            let part = bytes[partStart..<index]
            if part.isEmpty || part.elementsEqual([46, 46]) { return nil }
            partStart = index + 1
        }
        if let prefix, !path.hasPrefix(prefix) { return nil }
        return path
    }

    /// Whether `text` holds `needle`, byte for byte (no Foundation string search in the loop
    /// over a large manifest).
    static func contains(_ text: String, _ needle: String) -> Bool {
        let n = Array(needle.utf8), t = Array(text.utf8)
        guard !n.isEmpty, t.count >= n.count else { return n.isEmpty }
        for start in 0...(t.count - n.count) where t[start] == n[0] && t[start..<start + n.count].elementsEqual(n) { return true }
        return false
    }

    static func nfcMatch(_ path: String, in files: [String: BagFile]) -> String {
        let nfc = path.precomposedStringWithCanonicalMapping
        return files.keys.first { $0.precomposedStringWithCanonicalMapping == nfc } ?? path
    }

    /// "Label: value" lines; continuation lines (starting with whitespace) join the value
    /// before. `strict` (bagit.txt): exactly one space after the colon, none before, none at
    /// the end.
    static func parseTagLines(_ text: String, strict: Bool) -> (fields: [(label: String, value: String)], problems: [String]) {
        var fields: [(label: String, value: String)] = []
        var problems: [String] = []
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for raw in body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n").components(separatedBy: "\n") {
            if raw.isEmpty { continue }
            if raw.first == " " || raw.first == "\t", !fields.isEmpty {
                fields[fields.count - 1].value += " " + raw.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = raw.firstIndex(of: ":") else { problems.append("'\(raw)' has no ':'"); continue }
            let label = String(raw[..<colon])
            let rest = String(raw[raw.index(after: colon)...])
            if strict {
                if label != label.trimmingCharacters(in: .whitespaces) { problems.append("'\(raw)': no space is allowed before the colon") }
                if !rest.hasPrefix(" ") || rest.hasPrefix("  ") { problems.append("'\(raw)': one space follows the colon") }
                if rest.hasSuffix(" ") || rest.hasSuffix("\t") { problems.append("'\(raw)': the value ends with a space") }
            }
            fields.append((label.trimmingCharacters(in: .whitespaces), rest.trimmingCharacters(in: .whitespaces)))
        }
        return (fields, problems)
    }

    static func stringEncoding(_ name: String) -> String.Encoding? {
        switch name.uppercased().replacingOccurrences(of: "_", with: "-") {
        case "UTF-8", "UTF8": .utf8
        case "ISO-8859-1", "LATIN1", "ISO8859-1": .isoLatin1
        case "UTF-16", "UTF16": .utf16
        case "US-ASCII", "ASCII": .ascii
        default: nil
        }
    }
}
