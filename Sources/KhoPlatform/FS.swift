// File-system calls on paths: exists, folders, renames, listing, flushing folders, free space.
import Glibc
import KhoCore

public enum FS {
    public static func fileStatus(_ path: HostPath) -> stat? {
        var st = stat()
        return path.withCString { lstat($0, &st) } == 0 ? st : nil
    }

    public static func exists(_ path: HostPath) -> Bool { fileStatus(path) != nil }

    /// What `path` names once links are followed (nil: nothing there).
    public static func statFollowing(_ path: HostPath) -> stat? {
        var st = stat()
        return path.withCString { stat($0, &st) } == 0 ? st : nil
    }

    public static func isDirectory(_ path: HostPath) -> Bool {
        guard let st = fileStatus(path) else { return false }
        return st.st_mode & S_IFMT == S_IFDIR
    }

    public static func makeDirectory(_ path: HostPath, mode: mode_t = 0o755) throws(KhoError) {
        if path.withCString({ mkdir($0, mode) }) != 0, errno != EEXIST {
            throw Sys.error(errno, "creating the folder", path)
        }
    }

    /// mkdir -p.
    public static func makeDirectories(_ path: HostPath) throws(KhoError) {
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

    public static func rename(_ from: HostPath, _ to: HostPath) throws(KhoError) {
        let result = from.withCString { a in to.withCString { b in Glibc.rename(a, b) } }
        guard result == 0 else { throw Sys.error(errno, "moving it into place", to) }
    }

    /// A second name for a file (same file system): nothing is copied.
    public static func hardLink(_ from: HostPath, _ to: HostPath) throws(KhoError) {
        let result = from.withCString { a in to.withCString { b in Glibc.link(a, b) } }
        guard result == 0 else { throw Sys.error(errno, "linking it", to) }
    }

    public static func remove(_ path: HostPath) {
        _ = path.withCString { unlink($0) }
    }

    /// Removes a folder and everything in it (for the temporary area only).
    /// Never follows a symbolic link: a link is removed, not what it points to, and every
    /// folder is entered by descriptor (O_NOFOLLOW), so a link swapped in meanwhile is not
    /// followed either.
    public static func removeTree(_ path: HostPath) {
        guard let st = fileStatus(path) else { return }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            remove(path)
            return
        }
        let fd = path.withCString { Glibc.open($0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        if fd >= 0 { removeContents(of: fd) }
        _ = path.withCString { rmdir($0) }
    }

    /// Removes everything in the folder at `path`, which is opened without following a link
    /// (a link there is left alone, and nothing it points to is touched): false when it could
    /// not be opened as a folder.
    @discardableResult
    public static func emptyFolder(_ path: HostPath) -> Bool {
        let fd = path.withCString { Glibc.open($0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
        guard fd >= 0 else { return false }
        removeContents(of: fd)
        return true
    }

    /// Removes everything in the open folder `fd` (closed on return), entering subfolders by
    /// descriptor and never through a link.
    private static func removeContents(of fd: Int32) {
        guard let dir = fdopendir(fd) else {
            close(fd)
            return
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = entryName(entry)
            if name != "." && name != ".." { names.append(name) }
        }
        for name in names {
            var st = stat()
            guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if st.st_mode & S_IFMT == S_IFDIR {
                let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child >= 0 { removeContents(of: child) }
                _ = unlinkat(fd, name, AT_REMOVEDIR)
            } else {
                _ = unlinkat(fd, name, 0)
            }
        }
    }

    /// A directory entry's name, read in place up to its NUL: the kernel's record is only as
    /// long as the name, so copying the whole 256-byte field can read past the end of the
    /// buffer (a crash in a large folder).
    private static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        let field = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        return String(cString: field.assumingMemoryBound(to: CChar.self))
    }

    public static func list(_ path: HostPath) throws(KhoError) -> [String] {
        guard let dir = path.withCString({ opendir($0) }) else { throw Sys.error(errno, "listing the folder", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = entryName(entry)
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public static func syncDirectory(_ path: HostPath) throws(KhoError) {
        let dir = try FileDescriptor.open(path, flags: O_RDONLY | O_DIRECTORY, doing: "flushing the folder")
        try dir.sync(doing: "flushing the folder")
    }

    /// Whether this process may write `path` (false on a read-only mount, even for root).
    public static func isWritable(_ path: HostPath) -> Bool {
        path.withCString { access($0, W_OK) } == 0
    }

    /// What is left on the file system holding `path`, from one `statvfs`: bytes free for an
    /// unprivileged writer, and files (inodes) that may still be made, nil where it has no fixed
    /// number of them (btrfs and many network file systems report none).
    public static func room(_ path: HostPath) -> (bytes: Int64, files: Int64?)? {
        var st = statvfs()
        guard path.withCString({ statvfs($0, &st) }) == 0 else { return nil }
        return (Int64(st.f_bavail) * Int64(st.f_frsize), st.f_files > 0 ? Int64(st.f_favail) : nil)
    }

    /// Bytes free for an unprivileged writer on the file system holding `path`.
    public static func availableBytes(_ path: HostPath) -> Int64? { room(path)?.bytes }

    /// The canonical absolute path (links resolved), or nil when it does not exist.
    public static func realPath(_ path: HostPath) -> String? {
        path.withCString { pointer in
            guard let resolved = realpath(pointer, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
    }

    /// Replaces `path` with `bytes` atomically and durably: written under `temp`, flushed,
    /// renamed, and the folder flushed.
    /// A new read-only file at `path` holding `bytes` (never through a link, never over a file
    /// already there), not flushed: the caller flushes a batch of them at once.
    public static func writeNewFile(_ bytes: [UInt8], to path: HostPath, doing: String) throws(KhoError) {
        let output = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o444, doing: doing)
        let failed = bytes.withUnsafeBytes { Sys.writeAll(output.fd, $0) }
        if failed != 0 { throw Sys.error(failed, doing, path) }
    }

    public static func writeDurably(_ bytes: [UInt8], to path: HostPath, temp: HostPath, mode: mode_t = 0o644) throws(KhoError) {
        let fd = try FileDescriptor.open(temp, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: mode, doing: "writing it")
        var failure: KhoError?
        bytes.withUnsafeBytes { buffer in
            do throws(KhoError) { try fd.writeAll(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        try fd.sync()
        try rename(temp, path)
        try syncDirectory(path.parentFolder)
    }
}
