// The faults a bag's check found by number (files by their place in the walk, manifest entries
// by their place in their manifest) put into words: the names read again from the bag, in one
// more walk, only when there is a fault to name. A name that cannot be had is said by number.
import Foundation
import KhoCore
import KhoPlatform

struct BagNaming {
    /// The walk's repeated and colliding names, as problems of the archive.
    var collisionProblems: [BagProblem] = []
    /// The join's faults, as problems of the bag.
    var findingProblems: [BagProblem] = []

    init(state: BagReader.Walked, findings: PayloadFindings, streamed: StreamedPayload?, path: String, limits: BagReadLimits) {
        var wantedFiles = Set(state.collisions.map(\.file))
        var wantedEntries: [Int: (name: String, numbers: Set<UInt32>)] = [:]
        var findings = findings
        findings.trim()
        for (finding, _) in findings.kept {
            switch finding {
            case .notInManifest(let f, _), .inNoManifest(let f), .uncheckable(let f, _), .differs(let f, _, _, _):
                wantedFiles.insert(f)
            case .listedTwice(let m, let e, _), .missing(let m, let e):
                // Entries are read again on their bytes: not in UTF-16 (said by number then).
                guard let streamed, StreamedPayload.cutsLines(streamed.encoding) else { continue }
                let (name, ordinal) = streamed.manifest(m)
                wantedEntries[ordinal, default: (name, [])].numbers.insert(e)
            }
        }
        let read: (files: [Int: String], entries: [Int: [UInt32: String]]) = (try? Self.names(path: path, limits: limits, files: wantedFiles, entries: wantedEntries,
                                    isV1: streamed?.isV1 ?? true, encoding: streamed?.encoding ?? .utf8)) ?? ([:], [:])
        func file(_ n: Int) -> String { read.files[n] ?? "file number \(n + 1) in the archive" }
        for (n, twice) in state.collisions {
            let name = file(n)
            collisionProblems.append(.error(twice ? "\(name) appears twice in the archive; refused"
                                            : "\(name) and an earlier entry are the same name once Unicode-normalised or case-folded; refused"))
        }
        if state.moreCollisions > 0 {
            collisionProblems.append(.error("\(state.moreCollisions) more names repeat or collide with an earlier one; refused"))
        }
        guard let streamed else { return }
        func entry(_ m: Int, _ e: UInt32) -> String {
            let (name, ordinal) = streamed.manifest(m)
            return read.entries[ordinal]?[e] ?? "entry \(e + 1) of \(name)"
        }
        for (finding, _) in findings.kept {
            let problem: BagProblem
            switch finding {
            case .listedTwice(let m, let e, let differs):
                let name = streamed.manifest(m).name
                problem = differs ? .error("\(name): \(entry(m, e)) is listed twice with different digests")
                    : streamed.isV1 ? .error("\(name): \(entry(m, e)) is listed twice") : .warning("\(name): \(entry(m, e)) is listed twice")
            case .notInManifest(let f, let m):
                problem = .error("\(file(f)) is in the payload but not in \(streamed.manifest(m).name)")
            case .inNoManifest(let f):
                problem = .error("\(file(f)) is in the payload but in no manifest")
            case .uncheckable(let f, let m):
                problem = .error("\(streamed.manifest(m).name): \(file(f)) could not be checked with \(streamed.algorithm(m).rawValue) in one pass"
                                 + (streamed.late ? " (the manifest came after the file)" : ""))
            case .differs(let f, let m, let actual, let expected):
                problem = .error("\(streamed.manifest(m).name): \(file(f)) has \(streamed.algorithm(m).rawValue) \(actual), the manifest says \(expected)")
            case .missing(let m, let e):
                problem = .error("\(streamed.manifest(m).name): \(entry(m, e)) is listed but not in the bag")
            }
            BagValidator.add(problem, to: &findingProblems)
        }
        if findings.droppedError {
            BagValidator.add(.error("more problems were found than are listed here"), to: &findingProblems)
        }
    }

    /// The paths of some files (by their number in the walk) and of some manifest entries (by
    /// the manifest's number in the walk, then the entry's in the manifest), read again.
    static func names(path: String, limits: BagReadLimits, files wanted: Set<Int>, entries: [Int: (name: String, numbers: Set<UInt32>)],
                      isV1: Bool, encoding: String.Encoding) throws(KhoError) -> (files: [Int: String], entries: [Int: [UInt32: String]]) {
        var files: [Int: String] = [:]
        var found: [Int: [UInt32: String]] = [:]
        // No further than the last file wanted: never past where the first walk stopped.
        let last = (Array(wanted) + Array(entries.keys)).max() ?? -1
        guard last >= 0 else { return ([:], [:]) }
        _ = try BagReader.walk(path: path, limits: limits, through: last) { relative, _, ordinal in
            if wanted.contains(ordinal) { files[ordinal] = relative }
            guard let (name, numbers) = entries[ordinal] else { return nil }
            var lines = ManifestLines(name: name, isV1: isV1, encoding: encoding)
            var ignored: [BagProblem] = []
            var named: [UInt32: String] = [:]
            func take(_ number: UInt32, _ path: String, _: String) { if numbers.contains(number) { named[number] = path } }
            return BagReader.EntrySink(take: { chunk in
                lines.feed(chunk, problems: &ignored, take)
                ignored.removeAll()
                return lines.pending > BagReader.maxManifestLine ? "a line too long" : nil
            }, finish: {
                lines.end(problems: &ignored, take)
                found[ordinal] = named
                return nil
            })
        }
        return (files, found)
    }
}
