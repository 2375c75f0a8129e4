// `kho rebuild-catalog`: a lost or damaged catalog made again from the products' sidecars and
// the blobs, of the archive itself, of a folder (a replica's, another copy), or of a replica the
// old catalog still names.
import KhoCore
import KhoPlatform
import KhoStore

public struct RebuildCatalog: Sendable {
    public var location: ArchiveLocation
    public var from: HostPath?
    /// An S3 replica's s3://BUCKET/PREFIX.
    public var fromS3: String?
    public var replica: String?
    /// Put the rebuilt catalog in place even when the old one still opens with more products.
    public var force: Bool

    public init(location: ArchiveLocation, from: HostPath? = nil, fromS3: String? = nil, replica: String? = nil, force: Bool = false) {
        self.location = location
        self.from = from
        self.fromS3 = fromS3
        self.replica = replica
        self.force = force
    }

    public func run(for actor: Actor, environment: ArchiveEnvironment, progress: (any ProgressReporter)?) throws(KhoError) -> CatalogRebuildReport {
        var source = from
        var s3 = fromS3
        if let replica {
            let target = try Archive.replicaTarget(named: replica, root: location.path)
            if target.lowercased().hasPrefix("s3://") { s3 = target } else { source = HostPath(target) }
        }
        if let source, !FS.isDirectory(source) {
            throw KhoError(.missingFile, "\(source) is not a folder (is the drive mounted?)", subject: .file(source.description))
        }
        let environment = environment.keepingSidecars()
        // An old catalog that still opens first writes the sidecars of what changed lately.
        if let old = try? Archive.open(location.path, agent: actor.agent, environment: environment) {
            try? old.renewSidecars(wait: true, progress: progress)
            old.close()
        }
        if let s3 { return try Archive.rebuildCatalog(location.path, fromS3: s3, agent: actor.agent, environment: environment, force: force, progress: progress) }
        return try Archive.rebuildCatalog(location.path, from: source, agent: actor.agent, environment: environment, force: force, progress: progress)
    }
}
