// Reading a serialized bag's entries once, refusing what is unsafe (BagReader.verify's walk).
import CArchive
import Foundation
import Glibc
import KhoCore
import KhoPlatform

extension BagReader {
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

    /// What a walk found: the bag's folder, what is unsafe, the entries read, and the files
    /// whose names repeat or collide with an earlier one's (by number, in the walk's order).
    public struct Walked {
        public var root: String?
        public var problems: [BagProblem]
        public var entries: Int
        public var collisions: [(file: Int, twice: Bool)] = []
        /// Collisions past those listed.
        public var moreCollisions = 0
    }

    /// The colliding names a walk lists at most.
    static let maxCollisions = 50

    /// Reads every entry of the archive once, refusing what is unsafe, and hands each regular
    /// file (by its path inside the bag's folder, with the size its header claims, -1 if
    /// none, and its number among the files) to `open`, which returns where its bytes go
    /// (nil: skip them). `progress` hears of the archive file's bytes as libarchive reads
    /// them, and of each entry. With `namesIn` (where a large table of them spills), names
    /// that repeat or collide once normalised or case-folded are found once the walk ends
    /// (`collisions`; the caller names them): nothing read is kept under a name meanwhile.
    /// With `last`, the walk stops once the file of that number is read (a second walk, for
    /// names, goes no further than the first went).
    public static func walk(path: String, limits: BagReadLimits, progress: (any ProgressReporter)? = nil, label: String = "reading",
                            namesIn scratch: HostPath? = nil, through last: Int? = nil,
                            open: (String, Int64, Int) -> EntrySink?) throws(KhoError) -> Walked {
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
            return Walked(root: nil, problems: state.problems, entries: 0)
        }
        // Computed in floating point and capped, so no limit can overflow the count.
        let budget = max(limits.floorBytes, Int64(min(limits.maxExpansion * Double(st.st_size), Double(Int64.max / 2))))
        let zeros = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 64)
        zeros.initializeMemory(as: UInt8.self, repeating: 0)
        defer { zeros.deallocate() }
        // Folded key | exact key | the file's number: 36 bytes a file.
        let names = scratch.map { KeyedRecords(width: 36, memoryBytes: limits.tableMemory, scratchIn: $0) }
        var files = 0, payloadFiles = 0
        var entry: OpaquePointer?
        while true {
            if let last, files > last { break }
            let code = archive_read_next_header(handle, &entry)
            if code == ARCHIVE_EOF { break }
            guard code >= ARCHIVE_WARN, let entry else {
                state.fatal("the bundle is damaged or truncated: \(String(cString: kho_archive_error(handle)))")
                break
            }
            state.entries += 1
            // A name that is not UTF-8 is refused, not read with replacement characters: a
            // manifest naming "x\u{FFFD}.txt" must not stand for a file whose name is other bytes.
            var raw: [UInt8] = []
            let name = archive_entry_pathname_utf8(entry).map { String(cString: $0) }
                ?? archive_entry_pathname(entry).map { (pointer) -> String in
                    raw = Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
                    return String(decoding: raw, as: UTF8.self)
                } ?? ""
            if !raw.isEmpty, String(validating: raw, as: UTF8.self) == nil {
                state.fatal("an entry's name (\(name)) is not UTF-8; refused")
                continue
            }
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
            // Files are numbered in 4 bytes in the check's tables.
            if files > Int(UInt32.max) {
                state.fatal("the bundle holds more than \(UInt32.max) files; refused")
                break
            }
            // Each payload file costs scratch disk: no more than a bag's manifests may list (a
            // valid bag lists every one).
            if relative.hasPrefix("data/") {
                payloadFiles += 1
                if payloadFiles > limits.maxManifestEntries {
                    state.fatal("the bundle holds more than \(limits.maxManifestEntries) payload files; Kho checks at most that many in one bag; refused")
                    break
                }
            }
            let ordinal = files
            files += 1
            if let names {
                let folded = KeyDigest(Array(VietnameseText.nfc(relative).lowercased().utf8))
                let exact = KeyDigest(Array(relative.utf8))
                try names.append(folded) { out in
                    KeyedRecords.Key(exact).store(into: out, at: 0)
                    out.storeBytes(of: UInt32(truncatingIfNeeded: ordinal).littleEndian, toByteOffset: 16, as: UInt32.self)
                }
            }
            let declared = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : -1
            if declared > limits.maxEntrySize {
                state.fatal("\(name) claims \(declared) bytes; refused")
                break
            }
            guard let sink = open(relative, declared, ordinal) else { continue }
            guard copyData(handle, name: name, into: sink, budget: budget, limits: limits, zeros: zeros, state: &state, report: report) else { break }
            report()
            progress?.itemDone()
            if let problem = sink.finish() {
                state.fatal(problem)
                break
            }
        }
        var walked = Walked(root: state.root, problems: state.problems, entries: state.entries)
        if let names { try collisions(names, into: &walked) }
        return walked
    }

    /// Files whose name repeats an earlier one's, or matches it once normalised and case-folded.
    private static func collisions(_ names: KeyedRecords, into walked: inout Walked) throws(KhoError) {
        var found: [(file: Int, twice: Bool)] = []
        var group: KeyedRecords.Key?
        var first = group
        try names.forEach { record in
            let key = KeyedRecords.Key(record), exact = KeyedRecords.Key(record, at: 16)
            guard let g = group, g == key else {
                group = key
                first = exact
                return
            }
            let file = Int(record.loadUnaligned(fromByteOffset: 32, as: UInt32.self).littleEndian)
            found.append((file, exact == first))
            if found.count >= 4 * maxCollisions {
                found.sort { $0.file < $1.file }
                walked.moreCollisions += found.count - maxCollisions
                found.removeLast(found.count - maxCollisions)
            }
        }
        found.sort { $0.file < $1.file }
        if found.count > maxCollisions {
            walked.moreCollisions += found.count - maxCollisions
            found.removeLast(found.count - maxCollisions)
        }
        walked.collisions = found
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
            return String(decoding: bytes[(slash + 1)...], as: UTF8.self)
        }
    }
}
