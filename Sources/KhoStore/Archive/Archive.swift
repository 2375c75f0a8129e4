// An archive on disk: the marker file, the catalog, the blob store and the
// temporary area, under one root folder.
//
//   ROOT/kho-archive.json   what this folder is (format version, archive ID)
//   ROOT/catalog.sqlite     the catalog (WAL)
//   ROOT/blobs/sha256/ab/…  content-addressed blobs, read-only
//   ROOT/sidecars/ab/….json each product's document, content-addressed (rebuilds the catalog)
//   ROOT/sidecars/packs/…  many products' documents in one tar (a large renewal's)
//   ROOT/tmp/               per-process temporary folders
import Foundation
import Glibc
import KhoCore
import KhoPlatform
import Logging

public struct ArchiveInfo: Codable, Sendable, Equatable {
    public var format: String
    public var version: Int
    public var archiveID: String
    public var createdAt: Timestamp

    static let currentFormat = "kho-archive"
    static let currentVersion = 1

    /// The marker file's content.
    static func read(_ marker: HostPath) throws(KhoError) -> ArchiveInfo {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: marker.description))
            return try JSONDecoder().decode(ArchiveInfo.self, from: data)
        } catch {
            throw KhoError(.archiveDamaged, "\(marker) is unreadable or damaged; it identifies the archive, restore it from a backup", subject: .file(marker.description), cause: Underlying(error))
        }
    }
}

/// What every archive is opened with: the time, new identifiers, how long to wait for another
/// process's write, and where the store's notices go. The front end chooses them.
public struct ArchiveEnvironment: Sendable {
    public var clock: Clock
    public var ids: IdentifierSource
    /// Seconds to wait for another process's write before saying the archive is locked.
    public var lockTimeout: Double
    public var logger: Logger
    /// How product sidecars are written and read (nil: none are written, as in the store's own tests).
    public var sidecars: (any SidecarFormat)?
    /// S3 settings from the process's environment (they win over kho-config.json's).
    public var s3 = S3Settings()
    /// A renewal that writes at least this many sidecars writes them as one pack (fewer: a file each).
    public var sidecarPackMinimum = 256

    /// Seconds a writer waits for another process's write unless told otherwise.
    public static let defaultLockTimeout: Double = 10

    public init(clock: Clock, ids: IdentifierSource, lockTimeout: Double = defaultLockTimeout, logger: Logger = Logger(label: "kho"),
                sidecars: (any SidecarFormat)? = nil) {
        self.clock = clock
        self.ids = ids
        self.lockTimeout = lockTimeout
        self.logger = logger
        self.sidecars = sidecars
    }
}

/// An open archive. It acts for one agent, recorded in every event it writes; `acting(as:)`
/// gives the same archive acting for another.
public final class Archive: Sendable {
    public let root: HostPath
    public let info: ArchiveInfo
    public let agent: String
    let catalog: Catalog
    let blobs: BlobStore
    let environment: ArchiveEnvironment
    public let config: ArchiveConfig
    public var registry: LanguageRegistry { config.languageRegistry }
    public var clock: Clock { environment.clock }
    var ids: IdentifierSource { environment.ids }
    public var logger: Logger { environment.logger }

    static let markerName = "kho-archive.json"
    /// Files that may sit in a folder that becomes an archive (the repository's `Storage/`).
    static let allowedStrays: Set<String> = ["README.md", ".gitignore", ".gitkeep", "lost+found"]

    private init(root: HostPath, info: ArchiveInfo, agent: String, environment: ArchiveEnvironment) throws(KhoError) {
        self.root = root
        self.info = info
        self.agent = agent
        self.environment = environment
        let logger = environment.logger
        config = try ArchiveConfig.load(root: root)
        let readOnly = !FS.isWritable(root) || !FS.isWritable(root.appending("catalog.sqlite"))
        catalog = try Catalog(path: root.appending("catalog.sqlite").description, lockTimeout: environment.lockTimeout, readOnly: readOnly)
        blobs = BlobStore(root: root.appending("blobs/sha256"), tempRoot: root.appending("tmp"))
        if readOnly {
            logger.notice("the archive at \(root) is on read-only storage: it can be read, not changed")
            return
        }
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

    /// The same archive (catalog, store, configuration) acting for `agent`.
    private init(_ other: Archive, agent: String) {
        root = other.root
        info = other.info
        self.agent = agent
        catalog = other.catalog
        blobs = other.blobs
        environment = other.environment
        config = other.config
    }

    /// This archive, recording `agent` in the events it writes.
    public func acting(as agent: String) -> Archive { agent == self.agent ? self : Archive(self, agent: agent) }

    public static func isArchive(_ root: HostPath) -> Bool { FS.exists(root.appending(markerName)) }

    /// Opens an existing archive.
    public static func open(_ root: HostPath, agent: String, environment: ArchiveEnvironment) throws(KhoError) -> Archive {
        let marker = root.appending(markerName)
        guard FS.exists(marker) else {
            if !FS.exists(root) {
                throw KhoError(.notAnArchive, "no archive at \(root): the folder does not exist (create one with: kho init \(root))")
            }
            throw KhoError(.notAnArchive, "\(root) is not a Kho archive (no \(markerName)); create one with: kho init \(root)")
        }
        let info = try ArchiveInfo.read(marker)
        guard info.format == ArchiveInfo.currentFormat, info.version <= ArchiveInfo.currentVersion else {
            throw KhoError(.archiveTooNew, "\(root) is a \(info.format) version \(info.version) archive; this Kho \(KhoVersion.current) reads version \(ArchiveInfo.currentVersion) — update Kho")
        }
        // A catalog gone while the products' sidecars are there: never a new empty one in its place.
        if (FS.fileStatus(root.appending("catalog.sqlite"))?.st_size ?? 0) == 0, hasSidecars(root) {
            throw KhoError(.archiveDamaged, "the catalog of \(root) is missing; rebuild it from the products' sidecars: kho rebuild-catalog --storage \(root)")
        }
        return try Archive(root: root, info: info, agent: agent, environment: environment)
    }

    /// Creates an archive at `root` (or opens the one already there). Returns whether it was new.
    public static func create(_ root: HostPath, agent: String, environment: ArchiveEnvironment) throws(KhoError) -> (archive: Archive, created: Bool) {
        if isArchive(root) { return (try open(root, agent: agent, environment: environment), false) }
        if FS.exists(root) {
            guard FS.isDirectory(root) else { throw KhoError(.notAFolder, "\(root) exists and is not a folder; choose a folder for the archive") }
            let strays = try FS.list(root).filter { !allowedStrays.contains($0) }
            if !strays.isEmpty {
                let sample = strays.sorted().prefix(3).joined(separator: ", ")
                throw KhoError(.folderNotEmpty, "\(root) is not empty (\(sample)\(strays.count > 3 ? ", …" : "")) and is not a Kho archive; choose an empty or new folder")
            }
        }
        try FS.makeDirectories(root)
        try FS.makeDirectories(root.appending("blobs/sha256"))
        try FS.makeDirectories(root.appending("tmp"))
        let info = ArchiveInfo(format: ArchiveInfo.currentFormat, version: ArchiveInfo.currentVersion,
                               archiveID: environment.ids.archiveID(), createdAt: environment.clock.now())
        // The catalog first, the marker last: a folder with a marker is a whole archive.
        _ = try Catalog(path: root.appending("catalog.sqlite").description, lockTimeout: environment.lockTimeout)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = (try? encoder.encode(info)) ?? Data()
        try FS.writeDurably(Array(data), to: root.appending(markerName), temp: root.appending(".\(markerName).new"))
        return (try open(root, agent: agent, environment: environment), true)
    }

    /// On read-only storage (a DVD, a backup mounted read-only): readable, not changeable.
    public var isReadOnly: Bool { catalog.readOnly }

    /// Renews the sidecars of products changed meanwhile, then removes this process's
    /// temporary folder. Safe to skip: the next process does both.
    public func close() {
        do { try renewSidecars() } catch { logger.warning("product sidecars not renewed now (the next command does it): \(error.message)") }
        blobs.closeSession()
    }

    func event(_ type: EventType, object: String, product: ProductID?, outcome: EventOutcome = .success,
               detail: String?, at: Timestamp) -> PreservationEvent {
        PreservationEvent(at: at, type: type, object: object, productID: product, agent: agent, outcome: outcome, detail: detail)
    }
}
