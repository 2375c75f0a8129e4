// Finding a manifest's files on disk. The manifest's text is NFC; names written by a Mac are
// NFD; Windows users mix case. A path is tried as written, then in the other normalisation
// form, then by a case-insensitive look through its folder. Nothing outside the manifest's
// folder is ever used, symbolic links included.
import Foundation
import Glibc
import KhoCore
import KhoPlatform

struct ResolvedFile: Sendable {
    var path: HostPath
    var size: Int64
    var note: String?
}

struct ManifestFiles: Sendable {
    let base: HostPath
    private let realBase: String
    /// The manifest's folder, open, for opening files beneath it (nil if it cannot be opened).
    private let folder: FileDescriptor?

    init(base: HostPath) {
        self.base = base
        realBase = FS.realPath(base) ?? base.description
        folder = try? FileDescriptor.open(base, flags: O_RDONLY | O_DIRECTORY, doing: "opening the manifest's folder")
    }

    /// `relative` has `/` separators and no `..` (ManifestValidator.relativePath made sure).
    func resolve(_ relative: String) -> Result<ResolvedFile, Problem> {
        func fail(_ expected: String, _ code: ErrorCode) -> Result<ResolvedFile, Problem> {
            .failure(Problem(code: code, field: "files", value: relative, expected: expected))
        }
        var note: String?
        var found: HostPath?
        for candidate in [relative, VietnameseText.nfc(relative), relative.decomposedStringWithCanonicalMapping] {
            let path = base.appending(candidate)
            if FS.exists(path) { found = path; break }
        }
        if found == nil, let match = caseInsensitiveMatch(relative) {
            found = match
            note = "\(relative) matched \(String(match.description.dropFirst(base.description.count + 1))) ignoring case"
        }
        guard let path = found else {
            return fail("no such file in the manifest's folder (\(base))", .missingFile)
        }
        do throws(KhoError) {
            let fd: FileDescriptor
            switch openBeneath(path) {
            case .opened(let opened): fd = opened
            case .escapes: return fail("the path leads outside the manifest's folder (through a link); files must be inside it", .pathEscapesFolder)
            case .unsupported:
                guard let real = FS.realPath(path), real == realBase || real.hasPrefix(realBase + "/") else {
                    return fail("the path leads outside the manifest's folder (through a link); files must be inside it", .pathEscapesFolder)
                }
                fd = try FileDescriptor.openForReading(path)
            }
            let st = try fd.status()
            guard st.st_mode & S_IFMT == S_IFREG else { return fail("not a regular file (a folder, device or pipe)", .notAFile) }
            return .success(ResolvedFile(path: path, size: Int64(st.st_size), note: note))
        } catch {
            return fail(error.code == .unreadableFile ? "cannot be read: permission denied" : error.message, error.code)
        }
    }

    /// Opens the file with the kernel refusing any path that leaves the folder (openat2).
    private func openBeneath(_ path: HostPath) -> FileDescriptor.Beneath {
        guard let folder else { return .unsupported }
        let relative = HostPath(bytes: Array(path.bytes.dropFirst(base.bytes.count + 1)))
        return folder.openBeneath(relative, flags: O_RDONLY | O_NONBLOCK, reportedAs: path)
    }

    /// Walks the path component by component, comparing folded names.
    private func caseInsensitiveMatch(_ relative: String) -> HostPath? {
        var current = base
        for component in relative.split(separator: "/") {
            let want = VietnameseText.nfc(String(component)).lowercased()
            guard let names = try? FS.list(current),
                  let hit = names.first(where: { VietnameseText.nfc($0).lowercased() == want }) else { return nil }
            current = current.appending(hit)
        }
        return current
    }
}
