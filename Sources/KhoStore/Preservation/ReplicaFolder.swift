// A replica's folder, handled as a place other people can write to (a NAS, a USB drive): its
// own folders must be real folders (never links, never the archive's own folders reached some
// other way), files are created new (O_EXCL, O_NOFOLLOW) under names nobody can have planted,
// one run at a time holds its lock, and its marker is read as a small regular file only.
import Foundation
import Glibc
import KhoCore
import KhoPlatform

struct ReplicaFolder {
    let root: HostPath
    /// The archive's root and blob folder, which a replica's folders must never be.
    let archiveRoot: HostPath
    let archiveBlobs: HostPath

    var blobs: HostPath { root.appending("blobs/sha256") }
    var temp: HostPath { root.appending("tmp") }
    func blobPath(_ sha256: String) -> HostPath { blobs.appending("\(sha256.prefix(2))/\(sha256)") }

    /// The marker's content (nil: there is none). A link, a device, a pipe or a large file is refused.
    func readMarker() throws(KhoError) -> [String: Any]? {
        let path = root.appending(Archive.replicaMarker)
        guard let st = FS.fileStatus(path) else { return nil }
        guard (st.st_mode & S_IFMT) == S_IFREG, st.st_size < 64 << 10 else {
            throw KhoError(.usage, "\(path) is not a replica marker (not a small regular file); this folder is not a replica to use")
        }
        let fd = try FileDescriptor.open(path, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK, doing: "reading the replica marker")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, Int(st.st_size)), alignment: 8)
        defer { buffer.deallocate() }
        let n = try fd.read(into: buffer)
        return (try? JSONSerialization.jsonObject(with: Data(buffer.prefix(n)))) as? [String: Any]
    }

    /// The folder at `path` is a real folder of this replica (made if missing, with its parent
    /// flushed unless `flushed` is false: a batch's flush of the whole file system comes after),
    /// not a link and not one of the archive's folders.
    func ensureFolder(_ path: HostPath, flushed: Bool = true) throws(KhoError) {
        if FS.fileStatus(path) == nil {
            try FS.makeDirectory(path)
            if flushed { try FS.syncDirectory(path.parentFolder) }
        }
        guard let st = FS.fileStatus(path), (st.st_mode & S_IFMT) == S_IFDIR else {
            throw KhoError(.usage, "\(path) in the replica is not a folder (a link or a file); nothing was written — remove it and run again")
        }
        for own in [archiveRoot, archiveBlobs, archiveBlobs.appending(String(String(decoding: path.lastComponent, as: UTF8.self).prefix(2)))] {
            if let mine = FS.statFollowing(own), mine.st_dev == st.st_dev, mine.st_ino == st.st_ino {
                throw KhoError(.usage, "\(path) in the replica is the archive's own folder reached another way; a replica must be a copy elsewhere")
            }
        }
    }

    /// The replica's fixed folders, checked (and made where missing).
    func prepare() throws(KhoError) {
        try ensureFolder(root)
        try ensureFolder(root.appending("blobs"))
        try ensureFolder(blobs)
        try ensureFolder(temp)
    }

    /// One run at a time on a replica: false when another holds it.
    func lock() throws(KhoError) -> FileDescriptor {
        let path = root.appending(".kho-replica.lock")
        let fd = try FileDescriptor.open(path, flags: O_RDWR | O_CREAT | O_NOFOLLOW, mode: 0o644, doing: "locking the replica")
        guard try fd.lock(exclusive: true, wait: false) else {
            throw KhoError(.archiveLocked, "another kho replicate or kho repair is using \(root); try again when it is done")
        }
        return fd
    }

    /// Leftovers of an interrupted run in tmp/, removed. tmp/ is checked to be this replica's
    /// own folder, then entered by descriptor without following a link, so a link swapped in
    /// meanwhile (towards the archive's blobs, say) is not followed: nothing outside is removed.
    func clearTemp() throws(KhoError) {
        try ensureFolder(temp)
        guard FS.emptyFolder(temp) else {
            throw KhoError(.usage, "\(temp) in the replica is not a folder (a link or a file); nothing was written — remove it and run again")
        }
    }

    /// A new file in tmp/ (emptied at the start of each run; never through a link).
    func newTempFile(_ name: String) throws(KhoError) -> (HostPath, FileDescriptor) {
        let path = temp.appending(name)
        let fd = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o444, doing: "writing in the replica")
        return (path, fd)
    }
}
