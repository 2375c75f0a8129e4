// Rebuilding a lost or damaged catalog from the product sidecars and the blobs alone. The new
// catalog is made whole in this process's temporary folder, flushed, and only then takes the
// name `catalog.sqlite`; the old one (its write-ahead log checkpointed first, when it still
// opens) is kept beside it as catalog.sqlite.before-rebuild-TIME. A kill leaves the old catalog,
// or none where there was none: never half of one. The sidecars may come from elsewhere (a
// replica's folder): they are read as hostile (each one decoded and checked, links and odd
// files passed over), and blobs the archive lacks are copied from that folder, each hashed on
// its way in. What a sidecar does not hold is not rebuilt: the web app's users and tokens,
// replicas, export history and the archive's own events (its checks, replications).
import Foundation
import GRDB
import Glibc
import KhoCore
import KhoPlatform

public struct CatalogRebuildReport: Sendable, Codable {
    public var sidecarsRead = 0
    public var products = 0
    public var files = 0
    public var events = 0
    /// Older sidecars of a product passed over for its latest (a kill between two renewals).
    public var olderSidecars = 0
    /// Sidecars that could not be used, with why.
    public var unusable: [String] = []
    /// Blobs copied into the archive from the folder the sidecars came from.
    public var blobsCopied = 0
    /// Blobs the products name that neither the archive nor that folder holds good.
    public var blobsMissing: [String] = []
    /// Where the replaced catalog was kept (nil: there was none).
    public var previousCatalog: String?
    public var seconds = 0.0
}

/// A product's latest sidecar, as far as the scan has seen.
struct Chosen {
    var path: SidecarPlace
    var key: Int64
    var files: [(sha256: String, size: Int64)]
    /// Later sidecars are larger in this order: documents only grow (events are appended,
    /// every change moves updatedAt, files and source links are only added), so an old one a
    /// kill left beside the new cannot mislead.
    var order: (String, Int, Int)
}

extension Archive {
    /// Rebuilds the catalog of the archive at `root` from the sidecars (and blobs) under
    /// `source` (the archive itself when nil).
    /// `force`: put the new catalog in place even when it holds fewer products than the old one.
    public static func rebuildCatalog(_ root: HostPath, from source: HostPath?, agent: String, environment: ArchiveEnvironment,
                                      force: Bool = false, progress: (any ProgressReporter)?) throws(KhoError) -> CatalogRebuildReport {
        try rebuildCatalog(root, from: source, agent: agent, environment: environment, force: force, fetch: nil, progress: progress)
    }

    /// `fetch`: brings a blob the archive lacks into the store ("restored", "missing" or
    /// "damaged"); nil: from `source`'s own blob folder.
    static func rebuildCatalog(_ root: HostPath, from source: HostPath?, agent: String, environment: ArchiveEnvironment, force: Bool,
                               fetch: (((sha256: String, size: Int64), BlobStore) throws(KhoError) -> String)?,
                               progress: (any ProgressReporter)?) throws(KhoError) -> CatalogRebuildReport {
        guard let format = environment.sidecars else { throw KhoError(.usage, "this front end keeps no sidecars: nothing to rebuild from") }
        guard isArchive(root) else { throw KhoError(.notAnArchive, "\(root) is not a Kho archive (no \(markerName)); a rebuild needs the archive's marker") }
        let started = environment.clock.uptime()
        let config = try ArchiveConfig.load(root: root)
        let archiveID = try ArchiveInfo.read(root.appending(markerName)).archiveID
        let from = source ?? root
        if let source { try checkCopy(source, of: root) }
        var report = CatalogRebuildReport()
        // A disk replaced: the archive's folders made again.
        try FS.makeDirectories(root.appending("blobs/sha256"))
        try FS.makeDirectories(root.appending("tmp"))
        let store = BlobStore(root: root.appending("blobs/sha256"), tempRoot: root.appending("tmp"))
        defer { store.closeSession() }
        // 1. Which sidecar is each product's latest: every one read once, only what chooses kept
        //    (and only the places and files are kept after: a rebuild holds a few arrays of
        //    100,000s of sidecars, each entry counts).
        var chosen = try chooseLatest(from, archiveID: archiveID, keepFiles: source != nil, format: format, report: &report, progress: progress)
        let paths = chosen.map(\.path)
        let files = source == nil ? [] : chosen.flatMap(\.files)
        chosen = []
        // Sidecars read from elsewhere are copied in as files of their own (below); the
        // archive's own packs stay where they are, named by the new catalog.
        let places = source == nil ? paths : paths.map { SidecarPlace.loose($0.sha256, under: root) }
        // 2. Blobs the products name and the archive lacks, from the sidecars' folder.
        if source != nil { try copyMissingBlobs(files, from: from, into: store, fetch: fetch, report: &report, progress: progress) }
        // 3. The new catalog, whole, in the temporary area.
        let folder = try store.temporaryFolder("rebuild")
        let fresh = folder.appending("catalog.sqlite")
        // Every pack in the archive's own folder is known to the new catalog, named or not: its
        // numbers are never handed out again, and none is removed as a kill's leftover (one
        // whose members no product names may be the last copy of something a replica lacks).
        let ownPacks = packFiles(under: root).map { (number: $0.number, members: packMembers($0.path).members.count) }
        try buildCatalog(at: fresh, paths, naming: places, packs: ownPacks, format: format, config: config, agent: agent, environment: environment,
                         report: &report, progress: progress)
        guard report.products > 0 else {
            throw KhoError(.archiveDamaged, report.sidecarsRead == 0 ? "there are no product sidecars in \(from) to rebuild from; the catalog was left as it is"
                : "none of the \(report.sidecarsRead) sidecar(s) could be used (\(report.unusable.first ?? "")); the catalog was left as it is")
        }
        if let old = productCount(root.appending("catalog.sqlite")), old > report.products, !force {
            throw KhoError(.fileExists, "the catalog there still opens and holds \(old) product(s), the rebuilt one \(report.products); it was left as it is (--force puts the rebuilt one in place, the old one kept aside)")
        }
        // Sidecars read from elsewhere become the archive's own, so it can be rebuilt again from itself.
        if source != nil { try adoptSidecars(paths, into: root) }
        // 4. The swap: the old catalog (checkpointed) aside, the new one in its place.
        report.previousCatalog = try swapCatalog(fresh, into: root, at: environment.clock.now())
        report.seconds = environment.clock.uptime() - started
        return report
    }

    /// Each product's latest sidecar under `from`, in row-key order (every sidecar read once;
    /// the unusable ones named in the report).
    static func chooseLatest(_ from: HostPath, archiveID: String, keepFiles: Bool, format: any SidecarFormat,
                             report: inout CatalogRebuildReport, progress: (any ProgressReporter)?) throws(KhoError) -> [Chosen] {
        let (names, packProblems) = sidecarPlaces(under: from)
        report.unusable += packProblems
        progress?.start(label: "reading sidecars", totalBytes: 0, totalItems: names.count)
        defer { progress?.finish() }
        var latest: [String: Chosen] = [:]
        for start in stride(from: 0, to: names.count, by: 1024) {
            let range = start..<min(start + 1024, names.count)
            let peeked = try Parallel.map(count: range.count, jobs: Parallel.defaultJobs) { i, _ in
                readSidecarBytes(names[range.lowerBound + i]).flatMap { bytes in
                    format.peek(bytes).map { Result.success($0) } ?? .failure(SidecarProblem("not a Kho product sidecar"))
                }
            }
            for (path, result) in zip(names[range], peeked) {
                progress?.itemDone()
                report.sidecarsRead += 1
                switch result {
                case .failure(let problem): report.unusable.append("\(path): \(problem.message)")
                case .success(let peek) where peek.archiveID != archiveID:
                    report.unusable.append("\(path): a sidecar of another archive (\(peek.archiveID))")
                case .success(let peek):
                    // Only what chooses is kept; the document is read whole (and checked) when its turn comes.
                    let candidate = Chosen(path: path, key: peek.key, files: keepFiles ? peek.files : [],
                                           order: (peek.updatedAt, peek.events, peek.files.count + peek.sources))
                    let id = peek.productID
                    if let held = latest[id] {
                        report.olderSidecars += 1
                        if candidate.order <= held.order { continue }
                    }
                    latest[id] = candidate
                }
            }
        }
        return latest.values.sorted { $0.key < $1.key }
    }

    /// Every sidecar under `root`/sidecars: the members of its packs, then every regular file
    /// named like a sidecar (links, folders and odd names passed over); and what was wrong with
    /// packs that could be read only in part.
    static func sidecarPlaces(under root: HostPath) -> (places: [SidecarPlace], problems: [String]) {
        var places: [SidecarPlace] = []
        var problems: [String] = []
        for (number, path) in packFiles(under: root) {
            let (members, problem) = packMembers(path)
            // One path shared by all its members' places (a copy of it each would be 100,000 allocations for as many sidecars).
            places += members.map { SidecarPlace(file: path, sha256: $0.sha256, pack: number, offset: $0.offset, length: $0.length) }
            if let problem { problems.append("\(path): \(problem.message)\(members.isEmpty ? "" : "; its \(members.count) member(s) before that were read")") }
        }
        return (places + sidecarNames(under: root).map { SidecarPlace(file: $0) }, problems)
    }

    /// Every regular file named like a sidecar under `root`/sidecars/ab (links, folders and odd names passed over).
    static func sidecarNames(under root: HostPath) -> [HostPath] {
        let folder = root.appending(sidecarFolder)
        var names: [HostPath] = []
        for shard in ((try? FS.list(folder)) ?? []).sorted() where shard.utf8.count == 2 {
            let shardPath = folder.appending(shard)
            guard let st = FS.fileStatus(shardPath), (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            for name in ((try? FS.list(shardPath)) ?? []).sorted() where name.hasSuffix(".json") && name.hasPrefix(shard)
                && SHA256Hex.isValid(String(name.dropLast(5))) {
                let path = shardPath.appending(name)
                if let file = FS.fileStatus(path), (file.st_mode & S_IFMT) == S_IFREG { names.append(path) }
            }
        }
        return names
    }

    /// One sidecar's content: bytes that hash to its name and decode.
    static func readSidecar(_ place: SidecarPlace, format: any SidecarFormat) -> Result<SidecarContent, SidecarProblem> {
        readSidecarBytes(place).flatMap { format.decode($0) }
    }

    /// One sidecar's bytes: a small regular file whose bytes hash to its name.
    static func readSidecarBytes(_ path: HostPath) -> Result<[UInt8], SidecarProblem> {
        guard let input = try? FileDescriptor.open(path, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK, doing: "reading a sidecar"),
              let st = try? input.status(), (st.st_mode & S_IFMT) == S_IFREG, st.st_size < 8 << 20 else {
            return .failure(SidecarProblem("not a small regular file"))
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(st.st_size) + 1, alignment: 8)
        defer { buffer.deallocate() }
        guard let n = try? input.readFull(into: buffer), n == Int(st.st_size) else { return .failure(SidecarProblem("unreadable")) }
        return checkedSidecar(Array(buffer.prefix(n)), named: String(decoding: path.lastComponent.dropLast(5), as: UTF8.self))
    }

    /// A sidecar's bytes if they hash to its name (a file's or a pack member's).
    static func checkedSidecar(_ bytes: [UInt8], named sha256: String) -> Result<[UInt8], SidecarProblem> {
        var digest = StreamingDigest()
        bytes.withUnsafeBytes { digest.update($0) }
        guard digest.finalizeHex() == sha256 else {
            return .failure(SidecarProblem("its bytes do not hash to its name (damaged, or not written by Kho)"))
        }
        return .success(bytes)
    }
}

extension Archive {
    /// Where replica `name` is (a folder, or s3://BUCKET/PREFIX), as the (old) catalog at `root` still tells.
    public static func replicaTarget(named name: String, root: HostPath) throws(KhoError) -> String {
        let target: String?
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: root.appending("catalog.sqlite").description, configuration: configuration)
            target = try queue.read { db in try String.fetchOne(db, sql: "SELECT target FROM replicas WHERE name = ?", arguments: [name]) }
        } catch {
            throw KhoError(.archiveDamaged, "the catalog cannot be read to find replica \(name): give the replica's folder with --from FOLDER")
        }
        guard let target else { throw KhoError(.unknownFile, "the catalog names no replica \(name): give the replica's folder with --from FOLDER") }
        return target
    }
}

extension Archive {
    /// `folder` is a copy of the archive at `root` (its replica, or a copy of the whole folder):
    /// products of another archive never enter this one.
    static func checkCopy(_ folder: HostPath, of root: HostPath) throws(KhoError) {
        func archiveID(_ path: HostPath) -> String? {
            guard let st = FS.fileStatus(path), (st.st_mode & S_IFMT) == S_IFREG, st.st_size < 64 << 10,
                  let data = FileManager.default.contents(atPath: path.description),
                  let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
            return object["archiveID"] as? String
        }
        let mine = archiveID(root.appending(markerName))
        let theirs = [archiveID(folder.appending(replicaMarker)), archiveID(folder.appending(markerName))].compactMap { $0 }
        guard let mine, theirs.contains(mine) else {
            throw KhoError(.usage, "\(folder) is not a copy of this archive (its kho-replica.json or kho-archive.json names \(theirs.first ?? "no archive")); nothing was changed")
        }
    }
}

extension Archive {
    /// Copies sidecars (checked already) into the archive's own sidecars/, each a file of its own, flushed once.
    static func adoptSidecars(_ places: [SidecarPlace], into root: HostPath) throws(KhoError) {
        let folder = root.appending(sidecarFolder)
        try FS.makeDirectories(folder)
        var shards = Set<String>()
        for place in places {
            let shard = String(place.sha256.prefix(2))
            if shards.insert(shard).inserted { try FS.makeDirectory(folder.appending(shard)) }
            let target = sidecarPath(place.sha256, under: root)
            guard FS.fileStatus(target) == nil, case .success(let bytes) = readSidecarBytes(place) else { continue }
            try FS.writeNewFile(bytes, to: target, doing: "copying a product sidecar")
        }
        try FileDescriptor.open(folder, flags: O_RDONLY | O_DIRECTORY, doing: "flushing product sidecars").syncFileSystem()
    }

    /// Whether any product sidecar is there (stops at the first).
    static func hasSidecars(_ root: HostPath) -> Bool {
        if !packFiles(under: root).isEmpty { return true }
        let folder = root.appending(sidecarFolder)
        for shard in (try? FS.list(folder)) ?? [] where shard.utf8.count == 2 {
            if ((try? FS.list(folder.appending(shard))) ?? []).contains(where: { $0.hasSuffix(".json") }) { return true }
        }
        return false
    }
}
