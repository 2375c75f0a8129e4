// The thin layer over POSIX: every call checked, errno turned into a KhoError that
// names the file and says what to do.
import CKhoSystem
import Glibc
import KhoCore

enum Sys {
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// A KhoError for a failed call on a path, with the errno that matters to a user spelled out.
    static func error(_ code: Int32, _ doing: String, _ path: HostPath) -> KhoError {
        let text = errorText(code)
        switch code {
        case ENOENT:
            return KhoError("missing_file", "\(path): no such file or folder (while \(doing))", cause: text)
        case EACCES, EPERM:
            return KhoError("unreadable_file", "\(path): permission denied (while \(doing)); check the file's owner and mode", category: .environment, cause: text)
        case ENOSPC, EDQUOT:
            return KhoError("disk_full", "the disk holding \(path) is full (while \(doing)); free space or move the archive, nothing was stored", category: .environment, cause: text)
        case EISDIR:
            return KhoError("not_a_file", "\(path) is a folder, expected a file", cause: text)
        case EROFS:
            return KhoError("read_only", "\(path) is on a read-only file system (while \(doing))", category: .environment, cause: text)
        case EIO:
            return KhoError("io_error", "\(path): input/output error (while \(doing)); the disk or medium may be failing", category: .environment, cause: text)
        default:
            return KhoError("system_error", "\(path): \(text) (while \(doing))", category: .environment, cause: text)
        }
    }
}

/// An open file descriptor, closed when released.
final class FileDescriptor: @unchecked Sendable {
    let fd: Int32
    let path: HostPath
    private var closed = false

    private init(fd: Int32, path: HostPath) {
        self.fd = fd
        self.path = path
    }

    deinit { if !closed { _ = close(fd) } }

    /// Closes now rather than when the last reference goes: a thread that used the descriptor
    /// may release it a moment later, and a removed file's space is freed only on close.
    /// Only once no other thread uses it.
    func closeNow() {
        guard !closed else { return }
        closed = true
        _ = close(fd)
    }

    static func open(_ path: HostPath, flags: Int32, mode: mode_t = 0o644, doing: String) throws(KhoError) -> FileDescriptor {
        var fd: Int32 = -1
        repeat {
            fd = path.withCString { Glibc.open($0, flags | O_CLOEXEC, mode) }
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw Sys.error(errno, doing, path) }
        return FileDescriptor(fd: fd, path: path)
    }

    /// Takes ownership of a descriptor opened elsewhere.
    static func adopt(_ fd: Int32, path: HostPath) -> FileDescriptor { FileDescriptor(fd: fd, path: path) }

    /// Opens without blocking, so a named pipe or a device cannot hang Kho; callers check
    /// that what they opened is a regular file before reading.
    static func openForReading(_ path: HostPath) throws(KhoError) -> FileDescriptor {
        try open(path, flags: O_RDONLY | O_NONBLOCK, doing: "opening it for reading")
    }

    func status() throws(KhoError) -> stat {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Sys.error(errno, "reading its size", path) }
        return st
    }

    /// Reads up to `count` bytes; 0 means end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer, doing: String = "reading it") throws(KhoError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw Sys.error(errno, doing, path) }
        }
    }

    /// Fills the buffer unless end of file comes first; returns the bytes read.
    func readFull(into buffer: UnsafeMutableRawBufferPointer, doing: String = "reading it") throws(KhoError) -> Int {
        var total = 0
        while total < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...]), doing: doing)
            if n == 0 { break }
            total += n
        }
        return total
    }

    func writeAll(_ buffer: UnsafeRawBufferPointer, doing: String = "writing it") throws(KhoError) {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw Sys.error(errno, doing, path)
            }
            offset += n
        }
    }

    func sync(doing: String = "flushing it to disk") throws(KhoError) {
        guard fsync(fd) == 0 else { throw Sys.error(errno, doing, path) }
    }

    /// Flushes the whole file system this descriptor lives on (one journal commit for a batch).
    func syncFileSystem() throws(KhoError) {
        guard kho_syncfs(fd) == 0 else { throw Sys.error(errno, "flushing the file system", path) }
    }

    /// Asks the kernel to start writing a range now (best effort; errors surface at fsync).
    func startWriteback(offset: Int64, length: Int64) {
        _ = kho_start_writeback(fd, offset, length)
    }

    func adviseSequential() {
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
    }

    /// Takes an advisory lock; false when another process holds it and `wait` is false.
    func lock(exclusive: Bool, wait: Bool) throws(KhoError) -> Bool {
        let op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)
        while flock(fd, op) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return false }
            throw Sys.error(errno, "locking it", path)
        }
        return true
    }
}

enum FS {
    static func fileStatus(_ path: HostPath) -> stat? {
        var st = stat()
        return path.withCString { lstat($0, &st) } == 0 ? st : nil
    }

    static func exists(_ path: HostPath) -> Bool { fileStatus(path) != nil }

    static func isDirectory(_ path: HostPath) -> Bool {
        guard let st = fileStatus(path) else { return false }
        return st.st_mode & S_IFMT == S_IFDIR
    }

    static func makeDirectory(_ path: HostPath, mode: mode_t = 0o755) throws(KhoError) {
        if path.withCString({ mkdir($0, mode) }) != 0, errno != EEXIST {
            throw Sys.error(errno, "creating the folder", path)
        }
    }

    /// mkdir -p.
    static func makeDirectories(_ path: HostPath) throws(KhoError) {
        if isDirectory(path) { return }
        var prefix: [UInt8] = []
        for (i, byte) in path.bytes.enumerated() {
            prefix.append(byte)
            let atEnd = i == path.bytes.count - 1
            if (byte == UInt8(ascii: "/") && prefix.count > 1) || atEnd {
                let dir = HostPath(bytes: prefix)
                if !isDirectory(dir) { try makeDirectory(dir) }
            }
        }
    }

    static func rename(_ from: HostPath, _ to: HostPath) throws(KhoError) {
        let result = from.withCString { a in to.withCString { b in Glibc.rename(a, b) } }
        guard result == 0 else { throw Sys.error(errno, "moving it into place", to) }
    }

    static func remove(_ path: HostPath) {
        _ = path.withCString { unlink($0) }
    }

    /// Removes a folder and everything in it (for the temporary area only).
    static func removeTree(_ path: HostPath) {
        for entry in (try? list(path)) ?? [] {
            let child = path.appending(entry)
            if isDirectory(child) { removeTree(child) } else { remove(child) }
        }
        _ = path.withCString { rmdir($0) }
    }

    static func list(_ path: HostPath) throws(KhoError) -> [String] {
        guard let dir = path.withCString({ opendir($0) }) else { throw Sys.error(errno, "listing the folder", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func syncDirectory(_ path: HostPath) throws(KhoError) {
        let dir = try FileDescriptor.open(path, flags: O_RDONLY | O_DIRECTORY, doing: "flushing the folder")
        try dir.sync(doing: "flushing the folder")
    }

    /// Bytes free for an unprivileged writer on the file system holding `path`.
    static func availableBytes(_ path: HostPath) -> Int64? {
        var st = statvfs()
        guard path.withCString({ statvfs($0, &st) }) == 0 else { return nil }
        return Int64(st.f_bavail) * Int64(st.f_frsize)
    }

    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
}
