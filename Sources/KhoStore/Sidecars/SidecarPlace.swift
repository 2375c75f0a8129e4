// Where a product sidecar's bytes are: a file of its own (sidecars/ab/<sha256>.json), or a member
// of a pack (sidecars/packs/NNNNNNNNNN.tar, see SidecarPack). Either way the bytes must hash to
// the sidecar's name before anything uses them: a pack is read as hostile as a loose file.
import Glibc
import KhoCore
import KhoPlatform

struct SidecarPlace: Sendable, CustomStringConvertible {
    /// The sidecar's own file, or the pack that holds it.
    var file: HostPath
    /// The pack's number (nil: a file of its own).
    var pack: Int64?
    var offset: Int64 = 0
    var length: Int64 = 0
    /// A member's name (a file of its own has it in its path: not kept twice, a rebuild holds
    /// hundreds of thousands of places).
    private var member: String?

    /// The SHA-256 its bytes must have.
    var sha256: String {
        member ?? String(decoding: file.lastComponent.dropLast(5), as: UTF8.self)
    }

    /// A file of its own at `file` (named `<sha256>.json`).
    init(file: HostPath) {
        self.file = file
    }

    /// A member of pack `pack` (the file `file`).
    init(file: HostPath, sha256: String, pack: Int64, offset: Int64, length: Int64) {
        self.file = file
        self.pack = pack
        self.offset = offset
        self.length = length
        member = sha256
    }

    static func loose(_ sha256: String, under root: HostPath) -> SidecarPlace {
        SidecarPlace(file: Archive.sidecarPath(sha256, under: root))
    }

    static func packed(_ member: SidecarPack.Member, pack: Int64, under root: HostPath) -> SidecarPlace {
        SidecarPlace(file: Archive.packPath(pack, under: root), sha256: member.sha256, pack: pack, offset: member.offset, length: member.length)
    }

    /// As the catalog's `sidecars` row names it (sha256, pack, pack_offset, pack_length).
    static func named(sha256: String, pack: Int64?, offset: Int64?, length: Int64?, under root: HostPath) -> SidecarPlace {
        guard let pack, let offset, let length else { return loose(sha256, under: root) }
        return packed(SidecarPack.Member(sha256: sha256, offset: offset, length: length), pack: pack, under: root)
    }

    var description: String { pack == nil ? file.description : "\(file) (its member \(sha256).json)" }

    /// Its size in bytes (nil: a file of its own that is not there).
    var size: Int64? { pack == nil ? FS.fileStatus(file).map { Int64($0.st_size) } : length }
}

extension Archive {
    static let packFolder = "sidecars/packs"

    static func packPath(_ number: Int64, under root: HostPath) -> HostPath {
        root.appending("\(packFolder)/\(SidecarPack.fileName(number))")
    }

    /// One sidecar's bytes, wherever they are, checked against its name.
    static func readSidecarBytes(_ place: SidecarPlace) -> Result<[UInt8], SidecarProblem> {
        guard place.pack != nil else { return readSidecarBytes(place.file) }
        guard place.length >= 0, place.length < 8 << 20, place.offset >= 0,
              let input = try? FileDescriptor.open(place.file, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK, doing: "reading a sidecar pack"),
              let st = try? input.status(), (st.st_mode & S_IFMT) == S_IFREG, place.offset + place.length <= Int64(st.st_size) else {
            return .failure(SidecarProblem("its pack is missing or not a regular file, or the member is past its end or larger than a sidecar can be (8 MB)"))
        }
        var bytes = [UInt8](repeating: 0, count: Int(place.length))
        let n = bytes.withUnsafeMutableBytes { try? input.readFull(into: $0, at: place.offset) }
        guard n == Int(place.length) else { return .failure(SidecarProblem("unreadable")) }
        return checkedSidecar(bytes, named: place.sha256)
    }

    /// The sidecar members of a pack, by walking its headers (nothing else is read). A pack cut
    /// short or damaged yields the members before the damage, and the problem.
    static func packMembers(_ path: HostPath) -> (members: [SidecarPack.Member], problem: SidecarProblem?) {
        guard let input = try? FileDescriptor.open(path, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK, doing: "reading a sidecar pack"),
              let st = try? input.status(), (st.st_mode & S_IFMT) == S_IFREG else {
            return ([], SidecarProblem("not a regular file"))
        }
        let size = Int64(st.st_size)
        var members: [SidecarPack.Member] = []
        var offset: Int64 = 0
        var block = [UInt8](repeating: 0, count: SidecarPack.blockSize)
        while offset + Int64(SidecarPack.blockSize) <= size {
            let n = block.withUnsafeMutableBytes { try? input.readFull(into: $0, at: offset) }
            guard n == SidecarPack.blockSize else { return (members, SidecarProblem("unreadable at byte \(offset)")) }
            let length: Int64, sha256: String?
            switch SidecarPack.entry(block) {
            case .failure(let malformed): return (members, SidecarProblem("\(malformed.message) at byte \(offset)"))
            case .success(.end): return (members, nil)
            case .success(.other(let other)): (length, sha256) = (other, nil)
            case .success(.member(let name, let member)): (length, sha256) = (member, name)
            }
            guard length <= size - offset - Int64(SidecarPack.blockSize) else { return (members, SidecarProblem("cut short at byte \(size)")) }
            if let sha256 { members.append(SidecarPack.Member(sha256: sha256, offset: offset + Int64(SidecarPack.blockSize), length: length)) }
            offset += Int64(SidecarPack.span(Int(length)))
        }
        return (members, offset == size ? nil : SidecarProblem("cut short at byte \(size)"))
    }

    /// The packs under `root`/sidecars/packs by number (links, folders and odd names passed over).
    static func packFiles(under root: HostPath) -> [(number: Int64, path: HostPath)] {
        let folder = root.appending(packFolder)
        // A link in place of the folder is never followed (in a folder read as hostile, or here).
        guard let st = FS.fileStatus(folder), (st.st_mode & S_IFMT) == S_IFDIR else { return [] }
        return ((try? FS.list(folder)) ?? []).compactMap { name -> (Int64, HostPath)? in
            guard let number = SidecarPack.number(fileName: name) else { return nil }
            let path = folder.appending(name)
            guard let st = FS.fileStatus(path), (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            return (number, path)
        }.sorted { $0.0 < $1.0 }
    }
}
