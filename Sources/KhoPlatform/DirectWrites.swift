// Writing a file straight from the caller's buffers to the disk (O_DIRECT), where the file
// system takes it: the page cache's copy of every byte, which costs about as much processor
// time as hashing it, is not made. Whole 4096-byte blocks from page-aligned buffers go direct;
// the first write that is not such a block (a file's tail) and everything after it go the usual
// way, and so does every write where the file system refuses direct I/O.
import Glibc

/// Used by one thread at a time.
public final class DirectWrites: @unchecked Sendable {
    /// The alignment direct writes need (buffer address, file offset and length).
    public static let block = 4096

    private let fd: Int32
    /// Where the file's offset stood when writing began.
    private let start: Int64
    /// Bytes written so far, direct or not.
    public private(set) var written: Int64 = 0
    public private(set) var isDirect: Bool

    /// Direct writes to `fd` when `wanted`, `fd` is a regular file at a block-aligned offset and
    /// its file system takes the flag; the usual writes otherwise.
    public init(fd: Int32, wanted: Bool) {
        self.fd = fd
        var st = stat()
        let offset = Int64(lseek(fd, 0, SEEK_CUR))
        start = max(offset, 0)
        isDirect = wanted && fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
            && offset >= 0 && offset % Int64(Self.block) == 0 && Sys.setDirect(fd, true)
    }

    /// Writes all of `chunk`: 0, or the errno of the write that failed.
    public func write(_ chunk: UnsafeRawBufferPointer) -> Int32 {
        if isDirect && (chunk.count % Self.block != 0 || Int(bitPattern: chunk.baseAddress) % Self.block != 0) {
            stopDirect()
        }
        if isDirect {
            let failed = Sys.writeAll(fd, chunk)
            if failed == 0 {
                written += Int64(chunk.count)
                return 0
            }
            guard failed == EINVAL else { return failed }
            // A file system that took the flag but not the write: from where the last whole
            // chunk ended, the usual way.
            stopDirect()
            let end = off_t(start + written)
            guard ftruncate(fd, end) == 0, lseek(fd, end, SEEK_SET) == end else { return errno }
        }
        let failed = Sys.writeAll(fd, chunk)
        if failed == 0 { written += Int64(chunk.count) }
        return failed
    }

    private func stopDirect() {
        isDirect = false
        _ = Sys.setDirect(fd, false)
    }
}
