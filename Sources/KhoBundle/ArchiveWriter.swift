// Writing a serialized bag through libarchive: one owner of the C handle, every return code
// checked and turned into an error carrying libarchive's message.
import CArchive
import Crypto
import Foundation
import Glibc
import KhoCore
import KhoPlatform
import Synchronization

public enum BundleFormat: String, Sendable, CaseIterable {
    case tar
    case tarGz = "tar.gz"
    case tarZst = "tar.zst"
    case zip

    /// From a file name's ending: `.tar`, `.tar.gz`/`.tgz`, `.tar.zst`, `.zip`.
    public static func from(fileName: String) -> BundleFormat? {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".tar.gz") || lower.hasSuffix(".tgz") { return .tarGz }
        if lower.hasSuffix(".tar.zst") { return .tarZst }
        if lower.hasSuffix(".tar") { return .tar }
        if lower.hasSuffix(".zip") { return .zip }
        return nil
    }
}

/// A libarchive writer on an open file descriptor. Entries are regular files with fixed
/// owner, mode and time, so the same content always gives the same bytes.
final class ArchiveWriter {
    private let handle: OpaquePointer
    private let entry: OpaquePointer
    private let what: String
    private var closed = false
    private let previousLocale: locale_t?
    private var sink: OutputSink!

    /// The ring's slot: small enough that a block is still in the processor's caches when the
    /// second thread hashes and writes it.
    static let blockSize = 256 << 10

    /// libarchive converts names with the thread's character set: a process in the C locale
    /// cannot write "Việt" into a tar header. Writers run with a UTF-8 locale on their thread.
    nonisolated(unsafe) static let utf8Locale: locale_t? = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil)

    init(fd: Int32, format: BundleFormat, what: String) throws(KhoError) {
        previousLocale = Self.utf8Locale.map { uselocale($0) }
        guard let handle = archive_write_new(), let entry = archive_entry_new() else {
            throw KhoError(.outOfMemory, "libarchive could not start writing \(what)")
        }
        self.handle = handle
        self.entry = entry
        self.what = what
        switch format {
        case .tar, .tarGz, .tarZst:
            try check(archive_write_set_format_pax_restricted(handle), "choosing the tar format")
        case .zip:
            try check(archive_write_set_format_zip(handle), "choosing the zip format")
        }
        switch format {
        case .tarGz:
            try check(archive_write_add_filter_gzip(handle), "adding gzip compression")
            // A gzip header carries a time by default: leave it out, so output is reproducible.
            try check(archive_write_set_filter_option(handle, "gzip", "timestamp", nil), "leaving the time out of the gzip header")
        case .tarZst:
            try check(archive_write_add_filter_zstd(handle), "adding zstd compression")
        case .tar, .zip:
            try check(archive_write_add_filter_none(handle), "choosing no compression")
        }
        // No blocking in libarchive: each write reaches OutputSink as it is (which gathers the
        // bytes into 256 KiB slots), so a payload's bytes are copied once on their way out,
        // not twice. Nothing is padded beyond what tar needs.
        try check(archive_write_set_bytes_per_block(handle, 0), "setting the block size")
        try check(archive_write_set_bytes_in_last_block(handle, 1), "setting the last block size")
        sink = OutputSink(fd: fd)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        try check(archive_write_open2(handle, context, nil, { _, context, buffer, length in
            guard let context, let buffer else { return -1 }
            let sink = Unmanaged<OutputSink>.fromOpaque(context).takeUnretainedValue()
            return sink.write(UnsafeRawBufferPointer(start: buffer, count: length)) ? la_ssize_t(length) : -1
        }, nil, nil), "opening the output")
    }

    /// The SHA-256 of every byte written to the file so far (complete after `close`).
    var outputSHA256: String { sink.digestHex() }

    /// Where libarchive's blocks go: copied into a ring of buffers whose drain thread hashes
    /// them (the bundle's SHA-256) and writes them to the file, so packing, hashing and the
    /// kernel's copy run side by side on two cores.
    final class OutputSink: @unchecked Sendable {
        /// The bundle's SHA-256, updated by the drain thread.
        private final class Digest: Sendable { let state = Mutex(SHA256()) }
        private let digest = Digest()
        private let ring: BufferRing
        private var current: UnsafeMutableRawBufferPointer?
        private var used = 0
        private var finished = false

        /// The drain's failure (writing the file), if it failed.
        var failure: KhoError? { ring.drainError }

        /// Every this many bytes, the kernel is asked to start writing the range behind: the
        /// disk works while the export goes on, and the final flush has little left to do.
        static let writebackStep: Int64 = 32 << 20

        /// With direct writes (the file system takes them), the ring's slots are this large: a
        /// direct write waits for the disk, and the disk keeps up only with large ones.
        static let directSlotSize = 4 << 20

        init(fd: Int32) {
            let digest = self.digest
            let output = DirectWrites(fd: fd, wanted: true)
            nonisolated(unsafe) var writeback = WritebackPacer(fd: fd, stride: Self.writebackStep)
            // Two stages on two threads: the bundle's hash of a block, then its writing, while
            // the next block is hashed (a direct write waits for the disk).
            ring = BufferRing(slots: output.isDirect ? 6 : 8, slotSize: output.isDirect ? Self.directSlotSize : ArchiveWriter.blockSize, stages: [
                BufferRing.Stage { (chunk: UnsafeRawBufferPointer) throws(KhoError) in digest.state.withLock { $0.update(bufferPointer: chunk) } },
                BufferRing.Stage { (chunk: UnsafeRawBufferPointer) throws(KhoError) in
                    let failed = output.write(chunk)
                    if failed != 0 { throw Sys.error(failed, "writing the bundle", HostPath("the bundle file")) }
                    writeback.advance(to: output.written, direct: output.isDirect)
                }])
        }

        deinit { finish() }

        func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
            if failure != nil { return false }
            var offset = 0
            while offset < bytes.count {
                let buffer = current ?? ring.acquire()
                current = buffer
                let n = min(buffer.count - used, bytes.count - offset)
                (buffer.baseAddress! + used).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
                used += n
                offset += n
                if used == buffer.count {
                    ring.submit(used)
                    current = nil
                    used = 0
                }
            }
            return true
        }

        /// Hands over what is left and waits for the drain. Returns its failure, if any.
        @discardableResult
        func finish() -> KhoError? {
            guard !finished else { return failure }
            finished = true
            if used > 0 { ring.submit(used) }
            ring.finish()
            return failure
        }

        func digestHex() -> String { Hex.lower(digest.state.withLock { $0.finalize() }) }
    }

    deinit {
        archive_entry_free(entry)
        // A writer dropped before `close` failed: libarchive must not finish the archive (a
        // tar's close fills the rest of an open entry with zeros, gigabytes for a large file
        // whose bytes stopped coming), only let go of it.
        if !closed { archive_write_fail(handle) }
        archive_write_free(handle)
        if let previousLocale { uselocale(previousLocale) }
    }

    private func check(_ code: Int32, _ doing: String) throws(KhoError) {
        if code < ARCHIVE_WARN, let sink, let failure = sink.failure { throw written(failure) }
        if code < ARCHIVE_WARN {
            throw KhoError(.bundleWriteFailed, "\(what): \(doing) failed: \(String(cString: kho_archive_error(handle)))")
        }
    }

    /// Starts a regular file entry of `size` bytes; its bytes follow with `write`.
    func begin(path: String, size: Int64, mtime: Int) throws(KhoError) {
        archive_entry_clear(entry)
        archive_entry_set_pathname_utf8(entry, path)
        // A name libarchive cannot represent would reach the format writer as a null pointer.
        guard archive_entry_pathname(entry) != nil else {
            throw KhoError(.bundleWriteFailed, "\(what): the name \(path) cannot be written (no UTF-8 locale on this machine: install locales or use C.UTF-8)")
        }
        archive_entry_set_size(entry, size)
        archive_entry_set_filetype(entry, 0o100000)  // AE_IFREG, a cast macro Swift cannot import
        archive_entry_set_perm(entry, 0o644)
        archive_entry_set_mtime(entry, mtime, 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        try check(archive_write_header(handle, entry), "writing the header of \(path)")
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws(KhoError) {
        var offset = 0
        while offset < chunk.count {
            let n = archive_write_data(handle, chunk.baseAddress! + offset, chunk.count - offset)
            if n < 0 { try check(Int32(n), "writing data") }
            if n == 0 { throw KhoError(.bundleWriteFailed, "\(what): libarchive accepted no data") }
            offset += n
        }
    }

    func end() throws(KhoError) { try check(archive_write_finish_entry(handle), "finishing an entry") }

    /// A folder entry (so an empty payload still has its data/ folder when unpacked).
    func addDirectory(path: String, mtime: Int) throws(KhoError) {
        archive_entry_clear(entry)
        archive_entry_set_pathname_utf8(entry, path)
        archive_entry_set_filetype(entry, 0o040000)  // AE_IFDIR
        archive_entry_set_perm(entry, 0o755)
        archive_entry_set_mtime(entry, mtime, 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_size(entry, 0)
        try check(archive_write_header(handle, entry), "writing the folder \(path)")
        try check(archive_write_finish_entry(handle), "finishing the folder \(path)")
    }

    /// Writes a whole small file.
    func add(path: String, bytes: [UInt8], mtime: Int) throws(KhoError) {
        try begin(path: path, size: Int64(bytes.count), mtime: mtime)
        var failure: KhoError?
        bytes.withUnsafeBytes { buffer in
            do throws(KhoError) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        try end()
    }

    func close() throws(KhoError) {
        closed = true
        try check(archive_write_close(handle), "finishing the archive")
        if let failure = sink.finish() { throw written(failure) }
    }

    /// The drain's failure to write the file, as the user should read it (its code kept).
    private func written(_ failure: KhoError) -> KhoError {
        let advice = failure.code == .diskFull ? "the disk is full; no bundle was written — free space and try again"
            : "writing failed (\(failure.causeText ?? failure.message)); no bundle was written"
        return KhoError(failure.code, "\(what): \(advice)", subject: failure.subject, cause: failure.cause)
    }
}
