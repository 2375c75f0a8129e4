// Where operations write files (an export's bag, a report, a stored file, an import's result):
// one rule for all. A file appears under its name only when complete; an existing file is
// replaced only when the user says so; nothing is ever written inside the archive's folder,
// whatever the user says, so a mistyped path cannot destroy the catalog or a blob.
import Foundation
import KhoCore
import KhoPlatform
import KhoStore

/// A file an operation writes.
public struct OutputFile: Sendable, Equatable {
    public var path: HostPath
    /// Replace an existing file (`--force`).
    public var replace: Bool

    /// A file of the archive's own exports folder, named by Kho (the web app's exports).
    var managed = false

    public init(path: HostPath, replace: Bool = false) {
        self.path = path
        self.replace = replace
    }

    /// A new file `name` in the archive's exports folder (`exports/`), where the web app keeps
    /// the exports it makes. The one place an output may be inside the archive: Kho chooses the
    /// name, a plain file name, never an existing file's.
    public static func archiveExport(named name: String, in archive: Archive) throws(KhoError) -> OutputFile {
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/"), name.utf8.count < 200 else {
            throw KhoError(.internal, "an export's file name must be a plain name, not '\(name)'")
        }
        var file = OutputFile(path: try archive.exportsFolder().appending(name))
        file.managed = true
        return file
    }

    /// Opens the file for writing (under a temporary name until `commit`), after the rule.
    func create(outside archive: HostPath) throws(KhoError) -> FileOutput {
        if managed {
            guard path.parentFolder == archive.appending("exports") else {
                throw KhoError(.internal, "\(path) is not in the archive's exports folder")
            }
            return try FileOutput.create(at: path, overwrite: false)
        }
        try Self.refuseInside(archive, path)
        return try FileOutput.create(at: path, overwrite: replace)
    }

    /// Refuses a path that is in the archive's folder or under it: links and `..` resolved,
    /// and every folder on the way compared by device and inode with the archive's, so another
    /// name for the same folder (a bind mount, a second mount of the disk) is refused as well.
    /// (The file itself is replaced by a rename, so a hard link to an archive file is never
    /// written through.)
    static func refuseInside(_ archive: HostPath, _ path: HostPath) throws(KhoError) {
        guard let root = FS.realPath(archive), let rootStatus = FS.fileStatus(HostPath(root)) else { return }
        // The folders of a resolved path are real folders, no links: lstat sees each one.
        var folder = HostPath(resolvedPath(path)).parentFolder
        while true {
            if let st = FS.fileStatus(folder), st.st_dev == rootStatus.st_dev, st.st_ino == rootStatus.st_ino {
                throw KhoError(.outputInArchive, "\(path) is inside the archive (\(archive)); write it somewhere else — Kho never writes its outputs into the archive's folder",
                               subject: .file(path.description))
            }
            let parent = folder.parentFolder
            if parent == folder || folder.description == "/" { break }
            folder = parent
        }
    }

    /// The absolute path `path` names: its folder with links resolved, then its last part (or,
    /// when the path itself exists, the path with every link resolved).
    static func resolvedPath(_ path: HostPath) -> String {
        if let real = FS.realPath(path) { return real }
        let folder = FS.realPath(path.parentFolder) ?? path.parentFolder.description
        let name = String(decoding: path.lastComponent, as: UTF8.self)
        return folder == "/" ? "/\(name)" : "\(folder)/\(name)"
    }
}
