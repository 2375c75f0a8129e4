// Finding a manifest's files on disk. The manifest's text is NFC; names written by a Mac are
// NFD, sometimes only some of them (a file copied from a Mac into a folder made elsewhere);
// Windows users mix case. A path is tried as written, then component by component in either
// normalisation form, then by a case-insensitive look through the folder (each folder listed
// once per import). Nothing outside the manifest's folder is ever used, symbolic links included.
import Foundation
import Glibc
import KhoCore
import KhoPlatform
import Synchronization

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
    private let listings = FolderListings()

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
        let written = base.appending(relative)
        if FS.exists(written) {
            found = written
        } else if let (match, caseDiffers) = walk(relative) {
            found = match
            if caseDiffers { note = "\(relative) matched \(String(match.description.dropFirst(base.description.count + 1))) ignoring case" }
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

    /// Walks the path component by component: each as written, in NFC or in NFD, else the
    /// folder's entry whose name differs only in case. Says whether case had to be ignored.
    private func walk(_ relative: String) -> (HostPath, caseDiffers: Bool)? {
        var current = base
        var caseDiffers = false
        for part in relative.utf8.split(separator: 0x2F) {
            let component = String(decoding: part, as: UTF8.self)
            // As written first; the other forms are made only when it is not there.
            if FS.exists(current.appending(component)) {
                current = current.appending(component)
                continue
            }
            var tried = [component]
            var hit: String?
            for form in [VietnameseText.nfc(component), VietnameseText.nfd(component)] where !tried.contains(where: { $0.utf8.elementsEqual(form.utf8) }) {
                if FS.exists(current.appending(form)) { hit = form; break }
                tried.append(form)
            }
            if let hit {
                current = current.appending(hit)
                continue
            }
            guard let name = listings.entry(in: current, matching: component) else { return nil }
            caseDiffers = true
            current = current.appending(name)
        }
        return (current, caseDiffers)
    }
}

/// The folders listed while resolving, each read once: folded name (NFC, lower case) → the
/// name on disk. Shared by the threads that check rows.
final class FolderListings: Sendable {
    private let folders = Mutex<[HostPath: [String: String]]>([:])

    func entry(in folder: HostPath, matching name: String) -> String? {
        let key = Self.folded(name)
        if let known = folders.withLock({ $0[folder] }) { return known[key] }
        var table: [String: String] = [:]
        for entry in (try? FS.list(folder)) ?? [] { table[Self.folded(entry)] = table[Self.folded(entry)] ?? entry }
        folders.withLock { $0[folder] = table }
        return table[key]
    }

    static func folded(_ name: String) -> String { VietnameseText.nfc(name).lowercased() }
}
