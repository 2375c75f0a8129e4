// An open file descriptor, closed when released: every call checked, errno turned into a
// KhoError through Sys.
import CKhoSystem
import Glibc
import KhoCore

/// An open file descriptor, closed when released.
public final class FileDescriptor: @unchecked Sendable {
    public let fd: Int32
    public let path: HostPath
    private var closed = false

    private init(fd: Int32, path: HostPath) {
        self.fd = fd
        self.path = path
    }

    deinit { if !closed { _ = close(fd) } }

    /// Closes now rather than when the last reference goes: a thread that used the descriptor
    /// may release it a moment later, and a removed file's space is freed only on close.
    /// Only once no other thread uses it.
    public func closeNow() {
        guard !closed else { return }
        closed = true
        _ = close(fd)
    }

    public static func open(_ path: HostPath, flags: Int32, mode: mode_t = 0o644, doing: String) throws(KhoError) -> FileDescriptor {
        var fd: Int32 = -1
        repeat {
            fd = path.withCString { Glibc.open($0, flags | O_CLOEXEC, mode) }
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw Sys.error(errno, doing, path) }
        return FileDescriptor(fd: fd, path: path)
    }

    /// Takes ownership of a descriptor opened elsewhere.
    public static func adopt(_ fd: Int32, path: HostPath) -> FileDescriptor { FileDescriptor(fd: fd, path: path) }

    /// Opens without blocking, so a named pipe or a device cannot hang Kho; callers check
    /// that what they opened is a regular file before reading.
    public static func openForReading(_ path: HostPath) throws(KhoError) -> FileDescriptor {
        try open(path, flags: O_RDONLY | O_NONBLOCK, doing: "opening it for reading")
    }

    public func status() throws(KhoError) -> stat {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Sys.error(errno, "reading its size", path) }
        return st
    }

    /// Reads up to `count` bytes; 0 means end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, doing: String = "reading it") throws(KhoError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw Sys.error(errno, doing, path) }
        }
    }

    /// Fills the buffer unless end of file comes first; returns the bytes read.
    public func readFull(into buffer: UnsafeMutableRawBufferPointer, doing: String = "reading it") throws(KhoError) -> Int {
        var total = 0
        while total < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...]), doing: doing)
            if n == 0 { break }
            total += n
        }
        return total
    }

    /// Fills the buffer from byte `offset` on (pread: the file's position is left alone) unless
    /// end of file comes first; returns the bytes read.
    public func readFull(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, doing: String = "reading it") throws(KhoError) -> Int {
        var total = 0
        while total < buffer.count {
            let n = Glibc.pread(fd, buffer.baseAddress! + total, buffer.count - total, off_t(offset) + off_t(total))
            if n < 0 {
                if errno == EINTR { continue }
                throw Sys.error(errno, doing, path)
            }
            if n == 0 { break }
            total += n
        }
        return total
    }

    public func writeAll(_ buffer: UnsafeRawBufferPointer, doing: String = "writing it") throws(KhoError) {
        let failed = Sys.writeAll(fd, buffer)
        if failed != 0 { throw Sys.error(failed, doing, path) }
    }

    public func sync(doing: String = "flushing it to disk") throws(KhoError) {
        guard fsync(fd) == 0 else { throw Sys.error(errno, doing, path) }
    }

    /// Flushes the whole file system this descriptor lives on (one journal commit for a batch).
    public func syncFileSystem() throws(KhoError) {
        guard kho_syncfs(fd) == 0 else { throw Sys.error(errno, "flushing the file system", path) }
    }

    /// Asks the kernel to start writing a range now (best effort; errors surface at fsync).
    public func startWriteback(offset: Int64, length: Int64) {
        _ = kho_start_writeback(fd, offset, length)
    }

    /// Opens `relative` beneath this folder with the kernel refusing any path that leaves it
    /// (openat2 RESOLVE_BENEATH): `.escapes` for a path through a link or `..` out of it,
    /// `.unsupported` where the kernel cannot say.
    public func openBeneath(_ relative: HostPath, flags: Int32, reportedAs path: HostPath) -> Beneath {
        let fd = relative.withCString { kho_open_beneath(self.fd, $0, flags) }
        if fd >= 0 { return .opened(FileDescriptor.adopt(fd, path: path)) }
        switch errno {
        case EXDEV, ELOOP: return .escapes
        default: return .unsupported
        }
    }

    public enum Beneath { case opened(FileDescriptor), escapes, unsupported }

    public func adviseSequential() {
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
    }

    /// Takes an advisory lock; false when another process holds it and `wait` is false.
    public func lock(exclusive: Bool, wait: Bool) throws(KhoError) -> Bool {
        let op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)
        while flock(fd, op) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return false }
            throw Sys.error(errno, "locking it", path)
        }
        return true
    }
}
