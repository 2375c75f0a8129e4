// Opening and creating archives. The default archive (./Storage, or the server's) is created
// on first use; any other folder must already be one, so a mistyped path never creates a
// stray archive.
import KhoCore
import KhoPlatform
import KhoStore

/// Where an archive is, and whether it is the default one.
public struct ArchiveLocation: Sendable, Equatable {
    public var path: HostPath
    /// The default archive is created when it does not exist yet.
    public var isDefault: Bool

    public init(path: HostPath, isDefault: Bool) {
        self.path = path
        self.isDefault = isDefault
    }
}

public struct OpenedArchive: Sendable {
    public var session: Session
    /// The default archive did not exist and was created now.
    public var createdDefault: Bool
}

extension ArchiveLocation {
    /// Opens the archive here for `actor` (creating it first if it is the default one).
    public func open(for actor: Actor, environment: ArchiveEnvironment) throws(KhoError) -> OpenedArchive {
        let environment = environment.keepingSidecars()
        if isDefault && !Archive.isArchive(path) {
            let (archive, _) = try Archive.create(path, agent: actor.agent, environment: environment)
            return OpenedArchive(session: Session(archive: archive, actor: actor), createdDefault: true)
        }
        let archive = try Archive.open(path, agent: actor.agent, environment: environment)
        return OpenedArchive(session: Session(archive: archive, actor: actor), createdDefault: false)
    }
}

/// `kho init`: creates an archive (an archive already there is left alone; a folder holding
/// other files is refused).
public struct InitArchive: Sendable {
    public var path: HostPath
    public init(path: HostPath) { self.path = path }

    public func run(for actor: Actor, environment: ArchiveEnvironment) throws(KhoError) -> InitDocument {
        let (archive, created) = try Archive.create(path, agent: actor.agent, environment: environment.keepingSidecars())
        defer { archive.close() }
        return InitDocument(root: path.description, archiveID: archive.info.archiveID, created: created)
    }
}

public struct InitDocument: Codable, Sendable, Equatable {
    public var root: String
    public var archiveID: String
    public var created: Bool
}

extension ArchiveEnvironment {
    /// This environment, writing each product's sidecar (unless told how already).
    public func keepingSidecars() -> ArchiveEnvironment {
        var environment = self
        if environment.sidecars == nil { environment.sidecars = ProductSidecars() }
        return environment
    }
}
