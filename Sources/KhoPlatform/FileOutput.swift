// Where output goes: standard output, or a file that appears under its name only when complete
// and flushed (written as NAME.kho-partial-PID, renamed on commit, removed if never committed).
import Glibc
import KhoCore

public final class FileOutput: @unchecked Sendable {
    private let descriptor: FileDescriptor?
    private let rawFD: Int32
    private let finalPath: HostPath?
    private let partialPath: HostPath?
    private var committed = false

    private init(descriptor: FileDescriptor?, rawFD: Int32, finalPath: HostPath?, partialPath: HostPath?) {
        self.descriptor = descriptor
        self.rawFD = rawFD
        self.finalPath = finalPath
        self.partialPath = partialPath
    }

    deinit { if !committed, let partialPath { FS.remove(partialPath) } }

    public static func standardOutput() -> FileOutput {
        FileOutput(descriptor: nil, rawFD: 1, finalPath: nil, partialPath: nil)
    }

    /// A file written under a temporary name beside `path` and renamed on `commit()`.
    public static func create(at path: HostPath, overwrite: Bool) throws(KhoError) -> FileOutput {
        if FS.exists(path) && !overwrite {
            throw KhoError(.fileExists, "\(path) already exists; choose another name or add --force to replace it")
        }
        removeStalePartials(of: path)
        var partial = path
        partial.bytes += Array(".kho-partial-\(getpid())".utf8)
        let fd = try FileDescriptor.open(partial, flags: O_WRONLY | O_CREAT | O_TRUNC, doing: "creating the output file")
        return FileOutput(descriptor: fd, rawFD: fd.fd, finalPath: path, partialPath: partial)
    }

    public static func isDirectory(_ path: HostPath) -> Bool { FS.isDirectory(path) }

    /// Removes `path.kho-partial-PID` files left by Kho processes that were killed while
    /// writing `path` (their PID is gone); a live writer's file is left alone.
    public static func removeStalePartials(of path: HostPath) {
        let prefix = path.lastComponent + Array(".kho-partial-".utf8)
        let folder = path.parentFolder
        for name in (try? FS.list(folder)) ?? [] {
            let bytes = Array(name.utf8)
            guard bytes.starts(with: prefix), let pid = Int32(String(decoding: bytes.dropFirst(prefix.count), as: UTF8.self)), pid > 0,
                  pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            FS.remove(folder.appending(name))
        }
    }

    /// The descriptor written to, for writers that take one (libarchive).
    public var fileDescriptor: Int32 { rawFD }

    public func write(_ chunk: UnsafeRawBufferPointer) throws(KhoError) {
        let failed = Sys.writeAll(rawFD, chunk)
        if failed != 0 { throw Sys.error(failed, "writing the output", finalPath ?? HostPath("standard output")) }
    }

    /// Writes a whole text.
    public func write(_ text: String) throws(KhoError) {
        var failure: KhoError?
        Array(text.utf8).withUnsafeBytes { buffer in
            do throws(KhoError) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Makes the file visible under its name, flushed to disk.
    public func commit() throws(KhoError) {
        guard let descriptor, let finalPath, let partialPath else { return }
        try descriptor.sync()
        try FS.rename(partialPath, finalPath)
        committed = true
    }
}
