// An archive on disk: the marker file, the catalog, the blob store and the
// temporary area, under one root folder.
//
//   ROOT/kho-archive.json   what this folder is (format version, archive ID)
//   ROOT/catalog.sqlite     the catalog (WAL)
//   ROOT/blobs/sha256/ab/…  content-addressed blobs, read-only
//   ROOT/tmp/               per-process temporary folders
import Foundation
import Glibc
import KhoCore
import Logging

public struct ArchiveInfo: Codable, Sendable, Equatable {
    public var format: String
    public var version: Int
    public var archiveID: String
    public var createdAt: Timestamp

    static let currentFormat = "kho-archive"
    static let currentVersion = 1
}

public enum KhoVersion {
    public static let current = "0.1.0"
}

public final class Archive: Sendable {
    public let root: HostPath
    public let info: ArchiveInfo
    public let agent: String
    let catalog: Catalog
    let blobs: BlobStore
    let logger: Logger
    let clock: @Sendable () -> Timestamp
    public let config: ArchiveConfig
    public var registry: LanguageRegistry { config.languageRegistry }

    static let markerName = "kho-archive.json"
    /// Files that may sit in a folder that becomes an archive (the repository's `Storage/`).
    static let allowedStrays: Set<String> = ["README.md", ".gitignore", ".gitkeep", "lost+found"]

    private init(root: HostPath, info: ArchiveInfo, lockTimeout: Double, agent: String, logger: Logger,
                 clock: @escaping @Sendable () -> Timestamp) throws(KhoError) {
        self.root = root
        self.info = info
        self.agent = agent
        self.logger = logger
        self.clock = clock
        config = try ArchiveConfig.load(root: root)
        catalog = try Catalog(path: root.appending("catalog.sqlite").description, lockTimeout: lockTimeout)
        blobs = BlobStore(root: root.appending("blobs/sha256"), tempRoot: root.appending("tmp"))
        // Report flags follow the configuration: recompute them if it changed since they were made.
        let config = self.config
        let stale = try catalog.read { db in try String.fetchOne(db, sql: "SELECT value FROM archive_settings WHERE key = 'flags'") != config.flagsFingerprint }
        if stale {
            let count = try catalog.write { db in try CatalogWrites.recomputeFlags(db, config: config) }
            if count > 0 { logger.notice("recomputed the report flags of \(count) product(s) for the archive's configuration") }
        }
        let removed = TempArea.cleanUp(root: root.appending("tmp"))
        if removed > 0 { logger.notice("removed \(removed) temporary folder(s) left by interrupted Kho processes") }
    }

    /// The default agent: program, version, user and host.
    public static func defaultAgent() -> String {
        let env = ProcessInfo.processInfo.environment
        let account = getpwuid(getuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } }
        let user = env["KHO_AGENT"] ?? env["USER"] ?? env["LOGNAME"] ?? account ?? "uid \(getuid())"
        return "kho \(KhoVersion.current) (\(user)@\(ProcessInfo.processInfo.hostName))"
    }

    public static func systemClock() -> Timestamp { Timestamp(epochSeconds: Date().timeIntervalSince1970) }

    public static func isArchive(_ root: HostPath) -> Bool { FS.exists(root.appending(markerName)) }

    /// Opens an existing archive.
    public static func open(_ root: HostPath, lockTimeout: Double = 10, agent: String = defaultAgent(),
                            logger: Logger = Logger(label: "kho"),
                            clock: @escaping @Sendable () -> Timestamp = systemClock) throws(KhoError) -> Archive {
        let marker = root.appending(markerName)
        guard FS.exists(marker) else {
            if !FS.exists(root) {
                throw KhoError("not_an_archive", "no archive at \(root): the folder does not exist (create one with: kho init \(root))")
            }
            throw KhoError("not_an_archive", "\(root) is not a Kho archive (no \(markerName)); create one with: kho init \(root)")
        }
        let info: ArchiveInfo
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: marker.description))
            info = try JSONDecoder().decode(ArchiveInfo.self, from: data)
        } catch {
            throw KhoError("archive_damaged", "\(marker) is unreadable (\(error)); it identifies the archive, restore it from a backup", category: .damage)
        }
        guard info.format == ArchiveInfo.currentFormat, info.version <= ArchiveInfo.currentVersion else {
            throw KhoError("archive_too_new", "\(root) is a \(info.format) version \(info.version) archive; this Kho \(KhoVersion.current) reads version \(ArchiveInfo.currentVersion) — update Kho")
        }
        return try Archive(root: root, info: info, lockTimeout: lockTimeout, agent: agent, logger: logger, clock: clock)
    }

    /// Creates an archive at `root` (or opens the one already there). Returns whether it was new.
    public static func create(_ root: HostPath, lockTimeout: Double = 10, agent: String = defaultAgent(),
                              logger: Logger = Logger(label: "kho"),
                              clock: @escaping @Sendable () -> Timestamp = systemClock) throws(KhoError) -> (archive: Archive, created: Bool) {
        if isArchive(root) { return (try open(root, lockTimeout: lockTimeout, agent: agent, logger: logger, clock: clock), false) }
        if FS.exists(root) {
            guard FS.isDirectory(root) else { throw KhoError("not_a_folder", "\(root) exists and is not a folder; choose a folder for the archive") }
            let strays = try FS.list(root).filter { !allowedStrays.contains($0) }
            if !strays.isEmpty {
                let sample = strays.sorted().prefix(3).joined(separator: ", ")
                throw KhoError("folder_not_empty", "\(root) is not empty (\(sample)\(strays.count > 3 ? ", …" : "")) and is not a Kho archive; choose an empty or new folder")
            }
        }
        try FS.makeDirectories(root)
        try FS.makeDirectories(root.appending("blobs/sha256"))
        try FS.makeDirectories(root.appending("tmp"))
        let info = ArchiveInfo(format: ArchiveInfo.currentFormat, version: ArchiveInfo.currentVersion,
                               archiveID: UUID().uuidString.lowercased(), createdAt: clock())
        // The catalog first, the marker last: a folder with a marker is a whole archive.
        _ = try Catalog(path: root.appending("catalog.sqlite").description, lockTimeout: lockTimeout)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = (try? encoder.encode(info)) ?? Data()
        try writeDurably(data, to: root.appending(markerName), temp: root.appending(".\(markerName).new"))
        return (try open(root, lockTimeout: lockTimeout, agent: agent, logger: logger, clock: clock), true)
    }

    /// Removes this process's temporary folder. Safe to skip: the next process cleans up.
    public func close() { blobs.closeSession() }

    static func writeDurably(_ data: Data, to path: HostPath, temp: HostPath) throws(KhoError) {
        let fd = try FileDescriptor.open(temp, flags: O_WRONLY | O_CREAT | O_TRUNC, doing: "writing it")
        do {
            try data.withUnsafeBytes { try fd.writeAll($0) }
        } catch {
            throw error as? KhoError ?? KhoError("internal", "\(path): \(error)", category: .internal)
        }
        try fd.sync()
        try FS.rename(temp, path)
        try FS.syncDirectory(HostPath(bytes: Array(path.bytes[..<(path.bytes.lastIndex(of: UInt8(ascii: "/")) ?? 1)])))
    }

    func event(_ type: EventType, object: String, product: ProductID?, outcome: EventOutcome = .success,
               detail: String?, at: Timestamp) -> PreservationEvent {
        PreservationEvent(at: at, type: type, object: object, productID: product, agent: agent, outcome: outcome, detail: detail)
    }
}
