// Verifies a serialized bag in one streaming pass, without unpacking to disk: every entry
// is checked for what a hostile archive might try (paths leaving the bag, links, devices,
// duplicates and names that collide once normalised or case-folded, absurd sizes, data that
// expands without end), hashed, and the tag files kept; BagValidator then checks the bag.
// Payload manifests are read into a table as they arrive, each payload file's digests into
// another as it is hashed, and the two are joined at the end (StreamedPayload): tables of keys
// and digests, not paths, which spill to disk past a few megabytes, so memory stays flat
// whatever the number of files. Manifests that come first (Kho's) say which digests the
// payload needs; when the payload comes first (or its manifests cannot be read as they come:
// before bagit.txt, or in UTF-16), each file is hashed in every algorithm a manifest may use
// (SHA-256 and SHA-512 only past 16 MB), and manifests that could not be read as they came are
// kept whole (tag files, 64 MB at most together) and read into their tables at the end.
import CArchive
import Foundation
import Glibc
import KhoCore
import KhoPlatform

public enum BagReader {
    /// Payload files at most this large get every digest when the manifests have not been
    /// seen yet; larger ones get SHA-256 and SHA-512.
    static let smallFile: Int64 = 16 << 20
    /// Payload files at most this large are hashed by the reader itself while the second
    /// thread is busy (only checking).
    static let inlineFile: Int64 = 256 << 10
    /// Tag files larger than this are not hashed with SHA-224.
    static let largeTagFile: Int64 = 1 << 20
    /// When unpacking, payload files at least this large are hashed and written out by a
    /// second thread while this one reads on. Only checking, every file is hashed by the second thread
    /// (PipedHashes) unless it is small and that thread busy.
    static let pipeThreshold: Int64 = 256 << 10
    /// Reads of 128 KB and hand-overs of 256 KB: still within the processor's caches between
    /// the read, the copy and the hash, and few enough system calls and wake-ups of the
    /// second thread (with 16 KB reads and 64 KB slots, those cost the reading thread, the
    /// slower of the two, a fifth of its time on the 2 GB mix).
    static let readBlock = 128 << 10
    static let pipeSlot = 256 << 10

    /// With `unpackInto`, each payload file is also written there (numbered names) as it is
    /// read, so an import reads the bundle once; `payload` says where each went. The caller
    /// removes the folder when the bag turns out invalid. `unpackAs` says, per payload path,
    /// whether it is unpacked as a file, kept as a record in one scratch file (small files the
    /// caller reads once: no file to create and remove for each), or only checked. `progress`
    /// hears of the bundle's own bytes as they are read (compressed ones for a compressed bundle).
    public static func verify(path: String, limits: BagReadLimits = BagReadLimits(),
                              unpackInto folder: String? = nil, unpackAs: (String) -> UnpackAs = { _ in .file },
                              progress: (any ProgressReporter)? = nil) throws(KhoError) -> BagVerification {
        // Tag files (payload files go to `streamed` as they are read, and are not kept).
        var files: [String: BagFile] = [:]
        // Made when the first payload manifest begins (once bagit.txt is read) or, failing
        // that, when the first payload file does (nil: a bag without payload files).
        var streamed: StreamedPayload?
        var streamingDecided = false
        // A manifest before the payload could not be read as it came: all are kept whole.
        var keepsManifests = false
        // Payload manifests kept whole (not read as they came), with their numbers in the walk.
        var keptManifests: [(name: String, ordinal: Int)] = []
        // Bytes of tag files kept in memory, all together.
        var tagBytes: Int64 = 0
        // Where the check's tables spill past their memory: the unpacking folder, else $TMPDIR.
        let scratch = folder.map(HostPath.init) ?? SpillFile.temporaryFolder
        let payload = PayloadIndex(folder: folder, memory: limits.tableMemory, scratch: scratch)
        var unpackedCount = 0
        var recordFiles: [String] = []
        let records = try folder.map { (folder) throws(KhoError) in try SpillFile(in: HostPath(folder)) }
        var manifestAlgorithms: Set<DigestAlgorithm>?
        // A failure of this machine while unpacking (a full disk) is not a problem of the bag.
        var unpackFailure: KhoError?
        // Unpacking: one second thread for the whole walk hashes each large file's bytes and
        // writes them out, the reader going on with the next files.
        let unpacker = folder == nil ? nil : PipedHashes(slots: 16, slotSize: pipeSlot)
        // The file being unpacked, until its entry finishes; still open when the walk stopped
        // inside it (a limit, damage), and then closed here.
        var openOutput: Int32 = -1
        // Only checking: every file is hashed on the second thread, the reader going on; its
        // digests are taken up (in order) once ready.
        let behind = folder == nil ? PipedHashes(slots: 32, slotSize: pipeSlot) : nil
        // Files whose digests are taken up in the bag's order: hashed behind (by number), or
        // by the reader (digests given).
        // `number`: where the file was unpacked (0: not unpacked).
        // `ordinal`: the file's number in the walk.
        var inFlight: [(file: Int, path: String, ordinal: Int, size: Int64, tag: Bool, content: [UInt8]?, digests: [DigestAlgorithm: String]?, number: Int)] = []
        func takeUp(_ path: String, ordinal: Int, size: Int64, digests: [DigestAlgorithm: String], tag: Bool = false, content: [UInt8]? = nil) {
            if tag {
                files[path] = BagFile(size: size, digests: digests, content: content)
            } else if streamed != nil {
                streamed!.file(path, ordinal: ordinal, size: size, digests: digests)
            } else {
                files[path] = BagFile(size: size, digests: digests, content: nil)
            }
        }
        func takeUpHashed() {
            while let first = inFlight.first, let digests = first.digests ?? (behind ?? unpacker)?.digests(first.file) {
                if first.number > 0, let sha256 = digests[.sha256], unpackFailure == nil {
                    do throws(KhoError) { try payload.add(first.path, sha256: sha256, unpackedAs: first.number) } catch { unpackFailure = error }
                }
                takeUp(first.path, ordinal: first.ordinal, size: first.size, digests: digests, tag: first.tag, content: first.content)
                inFlight.removeFirst()
            }
        }
        // A payload manifest's algorithm, once it is read: payload files after it are hashed with it.
        func noteManifest(_ relative: String) {
            if BagValidator.isPayloadManifest(relative), let algorithm = BagValidator.manifestAlgorithm(relative).algorithm {
                manifestAlgorithms = (manifestAlgorithms ?? []).union([algorithm])
            }
        }
        let state = try walk(path: path, limits: limits, progress: progress, label: folder == nil ? "checking" : "unpacking",
                             namesIn: scratch) { relative, declared, ordinal in
            let isTag = !relative.hasPrefix("data/")
            // A payload manifest is read line by line into a table as it comes (not kept),
            // once bagit.txt says how; else kept whole, and read into its table at the end.
            var streamsManifest = false
            if isTag, BagValidator.isPayloadManifest(relative) {
                // bagit.txt's content may still be on its way.
                behind?.waitUntilDrained()
                takeUpHashed()
                if !streamingDecided {
                    // Before the payload. One manifest kept whole: every one is, and the
                    // payload goes late.
                    if streamed == nil && !keepsManifests {
                        streamed = StreamedPayload(declaration: files, memory: limits.tableMemory, scratch: scratch)
                        keepsManifests = streamed == nil
                    }
                    streamsManifest = streamed?.beginManifest(relative, ordinal: ordinal) ?? false
                } else if streamed?.late == true, streamed!.declare(files) {
                    streamsManifest = streamed!.beginManifest(relative, ordinal: ordinal)
                }
                if !streamsManifest { keptManifests.append((relative, ordinal)) }
            } else if !isTag, !streamingDecided {
                streamingDecided = true
                if streamed?.isEmpty ?? true {
                    // The payload comes before any manifest Kho reads as it comes: its files'
                    // digests go into the table all the same, for the manifests read later.
                    behind?.waitUntilDrained()
                    takeUpHashed()
                    streamed = StreamedPayload(late: files, memory: limits.tableMemory, scratch: scratch)
                }
            }
            var algorithms: Set<DigestAlgorithm>
            if let streamed, !streamed.late, !isTag {
                algorithms = streamed.algorithms
            } else if isTag || manifestAlgorithms == nil && declared >= 0 && declared <= smallFile {
                algorithms = Set(DigestAlgorithm.allCases)
                // SHA-224 is hashed in plain Swift, slowly: not for a large tag file (a payload
                // manifest of many files); a tag manifest in SHA-224 listing one is warned of.
                if declared < 0 || declared > largeTagFile { algorithms.remove(.sha224) }
            } else {
                algorithms = manifestAlgorithms ?? [.sha256, .sha512]
            }
            // SHA-256 always: an import stores by it and checks the second pass against it.
            algorithms.insert(.sha256)
            var hasher = MultiHasher(algorithms)
            var size: Int64 = 0
            let how: UnpackAs = folder == nil || isTag ? .skip : unpackAs(relative)
            // A record is held in memory until it is complete: whatever size it declares (or
            // none, in a zip), it is refused past maxTagFile rather than unpacked as a file.
            let asRecord = how == .record && relative.utf8.count <= 0xFFFF
            var content: [UInt8]? = isTag && !streamsManifest || asRecord ? [] : nil
            var fd: Int32 = -1
            if let folder, !isTag, how == .file || how == .record && !asRecord {
                let target = PayloadIndex.fileName(unpackedCount + 1, in: folder)
                fd = Glibc.open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)  // read-only, as blobs are
                if fd < 0 {
                    unpackFailure = Sys.error(errno, "unpacking the bundle", HostPath(target))
                    return EntrySink(take: { _ in "cannot unpack \(relative)" }, finish: { nil })
                }
                unpackedCount += 1
                if how == .record { recordFiles.append(relative) }
                openOutput = fd
            }
            let output = fd
            let number = fd >= 0 ? unpackedCount : 0
            if let behind, isTag || !(declared >= 0 && declared <= inlineFile && behind.isBusy) {
                let file = behind.begin(algorithms)
                var size: Int64 = 0
                var kept: [UInt8]? = isTag && !streamsManifest ? [] : nil
                return EntrySink(take: { chunk in
                    size += Int64(chunk.count)
                    if streamsManifest {
                        streamed!.manifestBytes(chunk)
                        if let stop = overflow(streamed!, relative, limits) { return stop }
                    } else if isTag {
                        tagBytes += Int64(chunk.count)
                        if size > limits.maxTagFile { return tooLarge(relative, limits) }
                        if tagBytes > limits.maxTagFile { return tagsTooLarge(relative, limits) }
                        kept!.append(contentsOf: chunk)
                    }
                    behind.push(chunk, file: file)
                    return nil
                }, finish: {
                    behind.end(file)
                    if streamsManifest { streamed!.endManifest() }
                    noteManifest(relative)
                    inFlight.append((file, relative, ordinal, size, isTag, kept, nil, 0))
                    takeUpHashed()
                    return nil
                })
            }
            // A large file being unpacked goes to the second thread, which hashes and writes it.
            if let unpacker, output >= 0, !asRecord, declared >= pipeThreshold {
                let file = unpacker.begin(algorithms, output: output, name: relative)
                return EntrySink(take: { chunk in
                    size += Int64(chunk.count)
                    if let failure = unpacker.failure {
                        unpackFailure = failure
                        return "cannot unpack \(relative)"
                    }
                    unpacker.push(chunk, file: file)
                    return nil
                }, finish: {
                    unpacker.end(file)  // the drain closes the output
                    openOutput = -1
                    inFlight.append((file, relative, ordinal, size, false, nil, nil, number))
                    takeUpHashed()
                    return nil
                })
            }
            return EntrySink(take: { chunk in
                size += Int64(chunk.count)
                hasher.update(chunk)
                if streamsManifest {
                    streamed!.manifestBytes(chunk)
                    if let stop = overflow(streamed!, relative, limits) { return stop }
                }
                if output >= 0 {
                    let failed = Sys.writeAll(output, chunk)
                    if failed != 0 {
                        unpackFailure = Sys.error(failed, "unpacking \(relative) from the bundle", HostPath(folder ?? ""))
                        return "cannot unpack \(relative)"
                    }
                }
                if content != nil {
                    if size > limits.maxTagFile { return tooLarge(relative, limits) }
                    if isTag {
                        tagBytes += Int64(chunk.count)
                        if tagBytes > limits.maxTagFile { return tagsTooLarge(relative, limits) }
                    }
                    content!.append(contentsOf: chunk)
                }
                return nil
            }, finish: {
                if output >= 0 { close(output) }
                openOutput = -1
                if asRecord, let records, let bytes = content {
                    let name = Array(relative.utf8)
                    do throws(KhoError) {
                        try records.append([UInt8(name.count & 0xFF), UInt8(name.count >> 8)] + name + bytes)
                    } catch {
                        unpackFailure = error
                        return "cannot unpack \(relative)"
                    }
                    content = nil
                }
                if streamsManifest { streamed!.endManifest() }
                let digests = hasher.finalize()
                if isTag {
                    files[relative] = BagFile(size: size, digests: digests, content: content)
                } else if behind != nil || unpacker != nil {
                    // In the bag's order, behind the files still being hashed.
                    inFlight.append((0, relative, ordinal, size, false, nil, digests, number))
                    takeUpHashed()
                } else {
                    takeUp(relative, ordinal: ordinal, size: size, digests: digests)
                }
                if isTag { noteManifest(relative) }
                return nil
            })
        }
        unpacker?.waitUntilDrained()
        // The walk stopped inside a file being unpacked: no last bytes came to close it.
        if openOutput >= 0 { close(openOutput) }
        if unpackFailure == nil { unpackFailure = unpacker?.failure }
        if let unpackFailure { throw unpackFailure }
        behind?.waitUntilDrained()
        takeUpHashed()
        if let unpackFailure { throw unpackFailure }
        // The payload went late: the manifests kept whole are read into their tables now.
        if var late = streamed, late.late {
            late.declare(files)
            for (name, ordinal) in keptManifests {
                if let content = files[name]?.content, late.readKept(name, ordinal: ordinal, content: content) { files[name]?.content = nil }
            }
            streamed = late
        }
        if let failure = streamed?.failure { throw failure }
        try payload.seal()
        // Joined (its tables sealed) before the rest of the check asks which files it holds.
        let findings = try streamed?.join() ?? PayloadFindings()
        var check = state.problems.isEmpty || !files.isEmpty ? BagValidator.check(files: files, streamed: streamed?.summary)
            : BagCheck(version: nil, problems: [], payloadFiles: 0, payloadBytes: 0, info: [])
        var archiveProblems = state.problems
        if !state.collisions.isEmpty || !findings.isEmpty {
            let named = BagNaming(state: state, findings: findings, streamed: streamed, path: path, limits: limits)
            archiveProblems += named.collisionProblems
            if let streamed { check.problems += streamed.problems }
            check.problems += named.findingProblems
        } else if let streamed {
            check.problems += streamed.problems
        }
        var result = BagVerification(name: state.root, check: check, archiveProblems: archiveProblems, entries: state.entries,
                                     payload: payload, records: records)
        result.recordFiles = recordFiles
        return result
    }

    /// Why a file kept in memory (a tag file, a record) stops the walk.
    static func tooLarge(_ relative: String, _ limits: BagReadLimits) -> String {
        "\(relative.hasPrefix("data/") ? "file" : "tag file") \(relative) is larger than \(limits.maxTagFile) bytes; refused"
    }

    /// Why tag files kept in memory stop the walk: together larger than one may be.
    static func tagsTooLarge(_ relative: String, _ limits: BagReadLimits) -> String {
        "tag files together are larger than \(limits.maxTagFile) bytes (reached at \(relative)); refused"
    }

    /// Why a payload manifest read ahead of its payload stops the walk, if it does: more
    /// entries than the limit, or a line longer than any entry's (it is held until it ends).
    static func overflow(_ streamed: StreamedPayload, _ relative: String, _ limits: BagReadLimits) -> String? {
        if let failure = streamed.failure { return "cannot read \(relative) on: \(failure.message)" }
        if streamed.entries > limits.maxManifestEntries {
            return "\(relative) lists more than \(limits.maxManifestEntries) files; Kho checks at most that many in one bag; refused"
        }
        if streamed.pendingLineBytes > maxManifestLine {
            return "\(relative) has a line longer than \(maxManifestLine) bytes; refused"
        }
        return nil
    }

    /// A manifest line: a digest and a path (PATH_MAX is 4096 bytes).
    static let maxManifestLine = 1 << 16

}
