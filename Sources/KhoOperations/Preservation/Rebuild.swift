// `kho rebuild-catalog`: a lost or damaged catalog made again from the products' sidecars and
// the blobs, of the archive itself, of a folder (a replica's, another copy), or of a replica the
// old catalog still names.
import KhoCore
import KhoPlatform
import KhoStore

public struct RebuildCatalog: Sendable {
    public var location: ArchiveLocation
    public var from: HostPath?
    public var replica: String?
    /// Put the rebuilt catalog in place even when the old one still opens with more products.
    public var force: Bool

    public init(location: ArchiveLocation, from: HostPath? = nil, replica: String? = nil, force: Bool = false) {
        self.location = location
        self.from = from
        self.replica = replica
        self.force = force
    }

    public func run(for actor: Actor, environment: ArchiveEnvironment, progress: (any ProgressReporter)?) throws(KhoError) -> CatalogRebuildReport {
        var source = from
        if let replica { source = try Archive.replicaFolder(named: replica, root: location.path) }
        if let source, !FS.isDirectory(source) {
            throw KhoError(.missingFile, "\(source) is not a folder (is the drive mounted?)", subject: .file(source.description))
        }
        let environment = environment.keepingSidecars()
        // An old catalog that still opens first writes the sidecars of what changed lately.
        if let old = try? Archive.open(location.path, agent: actor.agent, environment: environment) {
            try? old.renewSidecars(wait: true, progress: progress)
            old.close()
        }
        return try Archive.rebuildCatalog(location.path, from: source, agent: actor.agent, environment: environment, force: force, progress: progress)
    }
}
