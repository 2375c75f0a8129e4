// Replicas: `kho replica add|list|status` and `kho replicate` (folder replicas so far).
import KhoCore
import KhoPlatform
import KhoStore

public struct AddReplica: ArchiveOperation {
    public var name: String
    public var target: String
    public var includeRestricted: Bool

    public init(name: String, target: String, includeRestricted: Bool) {
        self.name = name
        self.target = target
        self.includeRestricted = includeRestricted
    }

    public func run(in session: Session) throws(KhoError) -> ReplicaRecord {
        try session.archive.addReplica(name: name, target: target, includeRestricted: includeRestricted)
    }
}

public struct ListReplicas: ArchiveOperation {
    public init() {}
    public func run(in session: Session) throws(KhoError) -> [ReplicaRecord] { try session.archive.replicas() }
}

/// Brings replica `name` (every replica when nil) up to date.
public struct Replicate: ArchiveOperation {
    public var name: String?

    public init(name: String? = nil) { self.name = name }

    public func run(in session: Session) throws(KhoError) -> [ReplicationSummary] {
        try chosen(session.archive, name).map { (replica) throws(KhoError) in try session.archive.replicate(replica, progress: session.progress) }
    }
}

/// Each replica's state; `stale` lists those not brought up to date within `maxAgeSeconds`.
public struct ReplicaStatusReport: ArchiveOperation {
    public var name: String?
    public var maxAgeSeconds: Double?

    public init(name: String? = nil, maxAgeSeconds: Double? = nil) {
        self.name = name
        self.maxAgeSeconds = maxAgeSeconds
    }

    public struct Document: Codable, Sendable {
        public var replicas: [ReplicaStatus]
        public var stale: [String]
    }

    public func run(in session: Session) throws(KhoError) -> Document {
        let now = session.clock.now().epochSeconds ?? 0
        let statuses = try chosen(session.archive, name).map { (replica) throws(KhoError) in try session.archive.replicaStatus(replica) }
        let stale = statuses.filter { s in
            guard let maxAgeSeconds else { return false }
            guard let last = s.replica.lastReplicatedAt.flatMap({ Timestamp(iso: $0).epochSeconds }) else { return true }
            return now - last > maxAgeSeconds
        }.map(\.replica.name)
        return Document(replicas: statuses, stale: stale)
    }
}

func chosen(_ archive: Archive, _ name: String?) throws(KhoError) -> [ReplicaRecord] {
    let all = try archive.replicas()
    guard let name else {
        if all.isEmpty { throw KhoError(.missingFile, "this archive has no replica yet: add one with kho replica add NAME FOLDER") }
        return all
    }
    guard let one = all.first(where: { $0.name == name }) else {
        throw KhoError(.unknownFile, "no replica named \(name) (kho replica list shows them)")
    }
    return [one]
}
