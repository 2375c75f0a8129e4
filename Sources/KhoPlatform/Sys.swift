// errno as a user sees it: one KhoError naming the file and what to do, with the errno as its
// cause. Every POSIX call in Kho goes through this module.
import CKhoSystem
import Glibc
import KhoCore

public enum Sys {
    public static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// A KhoError for a failed call on a path, with the errno that matters to a user spelled out.
    public static func error(_ code: Int32, _ doing: String, _ path: HostPath) -> KhoError {
        let cause = Errno(code, text: errorText(code))
        let subject = Subject.file(path.description)
        switch code {
        case ENOENT:
            return KhoError(.missingFile, "\(path): no such file or folder (while \(doing))", subject: subject, cause: cause)
        case EACCES, EPERM:
            return KhoError(.unreadableFile, "\(path): permission denied (while \(doing)); check the file's owner and mode", subject: subject, cause: cause)
        case ENOSPC:
            // The file system holding the file, or its folder when the file was not made.
            let room = FS.room(path) ?? FS.room(path.parentFolder)
            return KhoError(.diskFull, noSpaceMessage(path.description, doing: doing, freeBytes: room?.bytes, freeFiles: room?.files), subject: subject, cause: cause)
        case EDQUOT:
            return KhoError(.diskFull, noSpaceMessage(path.description, doing: doing, freeBytes: nil, freeFiles: nil), subject: subject, cause: cause)
        case EISDIR:
            return KhoError(.notAFile, "\(path) is a folder, expected a file", subject: subject, cause: cause)
        case EROFS:
            return KhoError(.readOnly, "\(path) is on a read-only file system (while \(doing))", subject: subject, cause: cause)
        case EIO:
            return KhoError(.ioError, "\(path): input/output error (while \(doing)); the disk or medium may be failing", subject: subject, cause: cause)
        default:
            return KhoError(.systemError, "\(path): \(cause.description) (while \(doing))", subject: subject, cause: cause)
        }
    }

    /// A write that found no room: the disk is full, or (what `df -h` does not show) it has
    /// bytes free but no room for another file.
    public static func noSpaceMessage(_ path: String, doing: String, freeBytes: Int64?, freeFiles: Int64?) -> String {
        if freeFiles == 0, let freeBytes, freeBytes > 0 {
            return "the file system holding \(path) has \(Formatting.bytes(freeBytes)) free but no room for another file: all its inodes are used (`df -i` shows them; while \(doing)); remove files or move the archive to a file system made with more inodes, nothing was stored"
        }
        return "the disk holding \(path) is full (while \(doing)); free space or move the archive, nothing was stored"
    }

    /// Turns direct I/O (O_DIRECT: writes go from the caller's buffer to the disk, not through
    /// the page cache) on or off for `fd`; false where the file system does not take it. Direct
    /// writes need a buffer, an offset and a length that are multiples of 4096.
    public static func setDirect(_ fd: Int32, _ on: Bool) -> Bool {
        let direct: Int32 = 0o40000   // O_DIRECT on Linux x86_64 and arm64 (not imported by Glibc)
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { return false }
        return fcntl(fd, F_SETFL, on ? flags | direct : flags & ~direct) == 0
    }

    /// Asks the kernel to start writing a range of `fd` now (best effort; errors surface at
    /// the fsync that follows).
    public static func startWriteback(_ fd: Int32, offset: Int64, length: Int64) {
        _ = kho_start_writeback(fd, offset, length)
    }

    /// Writes the whole buffer to `fd`, retrying short writes and EINTR. Returns 0, or the errno
    /// of the failed write. The one write loop every writer in Kho uses.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return 0
    }

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Keeps the process's memory flat on long work: buffers of 256 KiB and more are mapped
    /// and unmapped on their own (glibc otherwise raises that bar after the first large free
    /// and keeps freed buffers in its heaps), and threads share at most two heaps.
    public static func tuneAllocator() {
        kho_tune_allocator(256 << 10, 2)
    }
}
