// Verifies a serialized bag in one streaming pass, without unpacking to disk: every entry
// is checked for what a hostile archive might try (paths leaving the bag, links, devices,
// duplicates and names that collide once normalised or case-folded, absurd sizes, data that
// expands without end), hashed, and the tag files kept; BagValidator then checks the bag.
import CArchive
import Foundation
import Glibc
import KhoCore
import KhoPlatform

public enum BagReader {
    /// Payload files at most this large get every digest when the manifests have not been
    /// seen yet; larger ones get SHA-256 and SHA-512.
    static let smallFile: Int64 = 16 << 20
    /// Payload files at least this large are handed to a second thread as they are read: it
    /// hashes them (verify), or writes them out while this thread hashes (unpack).
    static let pipeThreshold: Int64 = 256 << 10
    /// Reads and hand-overs in pieces small enough to stay in the processor's caches between
    /// the read, the copy and the hash: on a machine short of memory bandwidth, every pass
    /// over the bytes in main memory costs as much as the hash.
    static let readBlock = 16 << 10
    static let pipeSlot = 64 << 10

    /// With `unpackInto`, each payload file is also written there (numbered names) as it is
    /// read, so an import reads the bundle once; `unpacked` says where each went. The caller
    /// removes the folder when the bag turns out invalid. `unpackAs` says, per payload path,
    /// whether it is unpacked as a file, kept as a record in one scratch file (small files the
    /// caller reads once: no file to create and remove for each), or only checked. `progress`
    /// hears of the bundle's own bytes as they are read (compressed ones for a compressed bundle).
    public static func verify(path: String, limits: BagReadLimits = BagReadLimits(),
                              unpackInto folder: String? = nil, unpackAs: (String) -> UnpackAs = { _ in .file },
                              progress: (any ProgressReporter)? = nil) throws(KhoError) -> BagVerification {
        var files: [String: BagFile] = [:]
        var unpacked: [String: String] = [:]
        let records = try folder.map { (folder) throws(KhoError) in try SpillFile(in: HostPath(folder)) }
        var manifestAlgorithms: Set<DigestAlgorithm>?
        // A failure of this machine while unpacking (a full disk) is not a problem of the bag.
        var unpackFailure: KhoError?
        // One second thread for the whole walk: each large file's bytes go to what `target`
        // says while it is being read.
        let target = PipeTarget()
        let pipe = BufferRing(slots: 8, slotSize: pipeSlot) { (chunk) throws(KhoError) in try target.consume?(chunk) }
        defer { pipe.finish() }
        // The file being unpacked, until its entry finishes; still open when the walk stopped
        // inside it (a limit, damage), and then closed here.
        var openOutput: Int32 = -1
        let state = try walk(path: path, limits: limits, progress: progress, label: folder == nil ? "checking" : "unpacking") { relative, declared in
            let isTag = !relative.hasPrefix("data/")
            var algorithms: Set<DigestAlgorithm>
            if isTag || manifestAlgorithms == nil && declared >= 0 && declared <= smallFile {
                algorithms = Set(DigestAlgorithm.allCases)
            } else {
                algorithms = manifestAlgorithms ?? [.sha256, .sha512]
            }
            // SHA-256 always: an import stores by it and checks the second pass against it.
            algorithms.insert(.sha256)
            let hashing = HasherBox(MultiHasher(algorithms))
            var size: Int64 = 0
            let how: UnpackAs = folder == nil || isTag ? .skip : unpackAs(relative)
            // A record is held in memory until it is complete: whatever size it declares (or
            // none, in a zip), it is refused past maxTagFile rather than unpacked as a file.
            let asRecord = how == .record && relative.utf8.count <= 0xFFFF
            var content: [UInt8]? = isTag || asRecord ? [] : nil
            var fd: Int32 = -1
            if let folder, !isTag, how == .file || how == .record && !asRecord {
                let target = "\(folder)/\(String(format: "%08d", unpacked.count + 1))"
                fd = Glibc.open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)  // read-only, as blobs are
                if fd < 0 {
                    unpackFailure = Sys.error(errno, "unpacking the bundle", HostPath(target))
                    return EntrySink(take: { _ in "cannot unpack \(relative)" }, finish: { nil })
                }
                unpacked[relative] = target
                openOutput = fd
            }
            let output = fd
            // A large file's bytes go to the second thread: the writing when unpacking (this
            // thread hashes), else the hashing.
            let piped = !isTag && !asRecord && declared >= pipeThreshold
            if piped {
                target.consume = { (chunk) throws(KhoError) in
                    if output >= 0 {
                        let failed = Sys.writeAll(output, chunk)
                        if failed != 0 { throw Sys.error(failed, "unpacking \(relative) from the bundle", HostPath(folder ?? "")) }
                    } else {
                        hashing.hasher.update(chunk)
                    }
                }
            }
            return EntrySink(take: { chunk in
                size += Int64(chunk.count)
                if piped {
                    if let failure = pipe.drainError {
                        unpackFailure = failure
                        return "cannot unpack \(relative)"
                    }
                    if output >= 0 { hashing.hasher.update(chunk) }
                    pipe.push(chunk)
                    return nil
                }
                hashing.hasher.update(chunk)
                if output >= 0 {
                    let failed = Sys.writeAll(output, chunk)
                    if failed != 0 {
                        unpackFailure = Sys.error(failed, "unpacking \(relative) from the bundle", HostPath(folder ?? ""))
                        return "cannot unpack \(relative)"
                    }
                }
                if content != nil {
                    if size > limits.maxTagFile { return "\(isTag ? "tag file" : "file") \(relative) is larger than \(limits.maxTagFile) bytes; refused" }
                    content!.append(contentsOf: chunk)
                }
                return nil
            }, finish: {
                if piped {
                    pipe.waitUntilDrained()
                    target.consume = nil
                    if let failure = pipe.drainError {
                        unpackFailure = failure
                        if output >= 0 { close(output) }
                        openOutput = -1
                        return "cannot unpack \(relative)"
                    }
                }
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
                files[relative] = BagFile(size: size, digests: hashing.hasher.finalize(), content: content)
                if isTag, relative.hasPrefix("manifest-"), relative.hasSuffix(".txt"),
                   let algorithm = DigestAlgorithm(rawValue: String(relative.dropFirst(9).dropLast(4)).lowercased()) {
                    manifestAlgorithms = (manifestAlgorithms ?? []).union([algorithm])
                }
                return nil
            })
        }
        if openOutput >= 0 {
            pipe.waitUntilDrained()
            target.consume = nil
            close(openOutput)
        }
        if let unpackFailure { throw unpackFailure }
        let check = state.problems.isEmpty || !files.isEmpty ? BagValidator.check(files: files)
            : BagCheck(version: nil, problems: [], payloadFiles: 0, payloadBytes: 0, info: [])
        var payload: [String: String] = [:]
        for (path, file) in files where path.hasPrefix("data/") { payload[path] = file.digests[.sha256] }
        return BagVerification(name: state.root, check: check, archiveProblems: state.problems, entries: state.entries,
                               payloadSHA256: payload, unpacked: unpacked, records: records)
    }

    /// A file's digests, shared with the thread that hashes its bytes; that thread is done
    /// with it once the ring is drained.
    final class HasherBox: @unchecked Sendable {
        var hasher: MultiHasher
        init(_ hasher: MultiHasher) { self.hasher = hasher }
    }

    /// Where the second thread sends a large file's bytes; set by the reading thread only
    /// while the ring is drained.
    final class PipeTarget: @unchecked Sendable {
        var consume: ((UnsafeRawBufferPointer) throws(KhoError) -> Void)?
    }

    /// What a walk does with one file's bytes: `take` each chunk (a message stops the walk
    /// with that problem), then `finish`.
    public struct EntrySink {
        public var take: (UnsafeRawBufferPointer) -> String?
        public var finish: () -> String?

        public init(take: @escaping (UnsafeRawBufferPointer) -> String?, finish: @escaping () -> String?) {
            self.take = take
            self.finish = finish
        }
    }

    /// Reads every entry of the archive once, refusing what is unsafe, and hands each regular
    /// file (by its path inside the bag's folder, with the size its header claims, -1 if
    /// none) to `open`, which returns where its bytes go (nil: skip them). `progress` hears of
    /// the archive file's bytes as libarchive reads them, and of each entry.
    public static func walk(path: String, limits: BagReadLimits, progress: (any ProgressReporter)? = nil, label: String = "reading",
                            open: (String, Int64) -> EntrySink?) throws(KhoError) -> (root: String?, problems: [BagProblem], entries: Int) {
        let input = try FileDescriptor.openForReading(HostPath(path))
        defer { input.closeNow() }
        let st = try input.status()
        guard st.st_mode & S_IFMT == S_IFREG else { throw KhoError(.notARegularFile, "\(path) is not a regular file; expected a bundle file") }
        // libarchive reads blocking; the descriptor was opened without blocking (a pipe cannot hang us).
        _ = fcntl(input.fd, F_SETFL, fcntl(input.fd, F_GETFL) & ~O_NONBLOCK)
        let fd = input.fd
        let previous = ArchiveWriter.utf8Locale.map { uselocale($0) }
        defer { if let previous { uselocale(previous) } }
        guard let handle = archive_read_new() else { throw KhoError(.outOfMemory, "libarchive could not start reading \(path)") }
        defer { archive_read_free(handle) }
        archive_read_support_filter_all(handle)
        archive_read_support_format_tar(handle)
        archive_read_support_format_gnutar(handle)
        archive_read_support_format_zip(handle)
        var state = ReadState()
        progress?.start(label: label, totalBytes: Int64(st.st_size), totalItems: 0)
        defer { progress?.finish() }
        var reported: Int64 = 0
        let report = {
            guard let progress else { return }
            let read = archive_filter_bytes(handle, -1)
            if read > reported {
                progress.advance(bytes: read - reported)
                reported = read
            }
        }
        guard archive_read_open_fd(handle, fd, Self.readBlock) == ARCHIVE_OK else {
            state.fatal("\(path) is not a tar or zip archive Kho can read, or it is damaged or truncated: \(String(cString: kho_archive_error(handle)))")
            return (nil, state.problems, 0)
        }
        // Computed in floating point and capped, so no limit can overflow the count.
        let budget = max(limits.floorBytes, Int64(min(limits.maxExpansion * Double(st.st_size), Double(Int64.max / 2))))
        let zeros = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
        zeros.initializeMemory(as: UInt8.self, repeating: 0)
        defer { zeros.deallocate() }
        var entry: OpaquePointer?
        while true {
            let code = archive_read_next_header(handle, &entry)
            if code == ARCHIVE_EOF { break }
            guard code >= ARCHIVE_WARN, let entry else {
                state.fatal("the bundle is damaged or truncated: \(String(cString: kho_archive_error(handle)))")
                break
            }
            state.entries += 1
            let name = archive_entry_pathname_utf8(entry).map { String(cString: $0) }
                ?? archive_entry_pathname(entry).map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) } ?? ""
            // A nameless entry is garbage from damaged compression that happened to parse; a
            // bundle with hundreds of bad entries is damaged, not worth a line for each.
            if name.isEmpty || state.problems.count >= 50 {
                state.fatal("the bundle is damaged or truncated: \(name.isEmpty ? "an entry has no name" : "too many bad entries"); reading stopped")
                break
            }
            let type = archive_entry_filetype(entry) & 0o170000
            if archive_entry_hardlink(entry) != nil || type == 0o120000 {
                state.fatal("\(name) is a link; a bag holds only files and folders")
                continue
            }
            guard type == 0o100000 || type == 0o040000 else {
                state.fatal("\(name) is a device, pipe or socket; a bag holds only files and folders")
                continue
            }
            guard let relative = state.place(name, isDirectory: type == 0o040000) else { continue }
            if type == 0o040000 { continue }
            let declared = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : -1
            if declared > limits.maxEntrySize {
                state.fatal("\(name) claims \(declared) bytes; refused")
                break
            }
            guard let sink = open(relative, declared) else { continue }
            guard copyData(handle, name: name, into: sink, budget: budget, limits: limits, zeros: zeros, state: &state, report: report) else { break }
            report()
            progress?.itemDone()
            if let problem = sink.finish() {
                state.fatal(problem)
                break
            }
        }
        return (state.root, state.problems, state.entries)
    }

    /// Hands the current entry's bytes to `sink`: blocks straight from libarchive's buffers (no
    /// copy); a sparse entry's holes as zeros. False (with a problem) when the walk must stop.
    private static func copyData(_ handle: OpaquePointer, name: String, into sink: EntrySink, budget: Int64, limits: BagReadLimits,
                                 zeros: UnsafeMutableRawBufferPointer, state: inout ReadState, report: () -> Void) -> Bool {
        var block: UnsafeRawPointer?
        var length = 0
        var offset: la_int64_t = 0
        var size: Int64 = 0
        func take(_ chunk: UnsafeRawBufferPointer) -> Bool {
            size += Int64(chunk.count)
            state.unpacked += Int64(chunk.count)
            if state.unpacked > budget {
                state.fatal("the bundle unpacks to more than \(budget) bytes (\(Int(limits.maxExpansion)) times its size): refused as a possible zip bomb")
                return false
            }
            if let problem = sink.take(chunk) {
                state.fatal(problem)
                return false
            }
            return true
        }
        while true {
            let code = archive_read_data_block(handle, &block, &length, &offset)
            if code == ARCHIVE_EOF { return true }
            if code < ARCHIVE_WARN {
                state.fatal("the bundle is damaged or truncated in \(name): \(String(cString: kho_archive_error(handle)))")
                return false
            }
            while size < offset {
                let gap = Int(min(Int64(zeros.count), offset - size))
                guard take(UnsafeRawBufferPointer(rebasing: zeros[0..<gap])) else { return false }
            }
            if length > 0, let block {
                guard take(UnsafeRawBufferPointer(start: block, count: length)) else { return false }
                if length >= 1 << 16 { report() }
            }
        }
    }

    struct ReadState {
        var files: [String: BagFile] = [:]
        var problems: [BagProblem] = []
        var root: String?
        /// Names once normalised and case-folded → the exact name, both as bytes (Swift's String
        /// equality would already fold NFC and NFD; bytes also hash without normalising).
        var folded: [[UInt8]: [UInt8]] = [:]
        var unpacked: Int64 = 0
        var entries = 0

        mutating func fatal(_ message: String) { problems.append(.error(message)) }

        /// The entry's path inside the bag's folder, or nil (with a problem) when it is unsafe.
        mutating func place(_ name: String, isDirectory: Bool) -> String? {
            var path = name
            while path.hasPrefix("./") { path.removeFirst(2) }
            if path.hasSuffix("/") { path.removeLast() }
            if path.isEmpty || path.hasPrefix("/") || path.utf8.contains(0) {
                fatal("'\(name)' is an absolute or empty path; refused")
                return nil
            }
            // Every part of the path, checked on the bytes: none empty, "." or "..".
            let bytes = Array(path.utf8)
            var partStart = 0
            var firstSlash: Int?
            for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "/") {
                let part = bytes[partStart..<index]
                if part.isEmpty || part.elementsEqual([46]) || part.elementsEqual([46, 46]) {
                    fatal("'\(name)' leaves its folder (.. or an empty part); refused")
                    return nil
                }
                if firstSlash == nil && index < bytes.count { firstSlash = index }
                partStart = index + 1
            }
            let top = String(decoding: bytes[..<(firstSlash ?? bytes.count)], as: UTF8.self)
            if let root, top != root {
                fatal("'\(name)' is outside the bag's folder \(root)/: a serialized bag holds one folder")
                return nil
            }
            if root == nil {
                if firstSlash == nil && !isDirectory {
                    fatal("'\(name)' is at the top of the archive: a serialized bag holds one folder")
                    return nil
                }
                root = top
            }
            guard let slash = firstSlash else { return nil }
            let relative = String(decoding: bytes[(slash + 1)...], as: UTF8.self)
            if !isDirectory {
                let key = Array(VietnameseText.nfc(relative).lowercased().utf8)
                if let other = folded[key] {
                    fatal(other.elementsEqual(relative.utf8) ? "\(relative) appears twice in the archive; refused"
                          : "\(relative) and \(String(decoding: other, as: UTF8.self)) are the same name once Unicode-normalised or case-folded; refused")
                    return nil
                }
                folded[key] = Array(relative.utf8)
            }
            return relative
        }
    }
}
