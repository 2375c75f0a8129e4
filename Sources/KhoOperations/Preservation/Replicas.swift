// Replicas: `kho replica add|list|status` and `kho replicate` (folder replicas so far).
import KhoCore
import KhoPlatform
import KhoStore

public struct AddReplica: ArchiveOperation {
    public var name: String
    public var target: String
    public var includeRestricted: Bool
    /// Allow a folder on the archive's own disk.
    public var sameDisk: Bool

    public init(name: String, target: String, includeRestricted: Bool, sameDisk: Bool = false) {
        self.name = name
        self.target = target
        self.includeRestricted = includeRestricted
        self.sameDisk = sameDisk
    }

    public func run(in session: Session) throws(KhoError) -> ReplicaRecord {
        try session.archive.addReplica(name: name, target: target, includeRestricted: includeRestricted, sameDisk: sameDisk)
    }
}

public struct ListReplicas: ArchiveOperation {
    public init() {}
    public func run(in session: Session) throws(KhoError) -> [ReplicaRecord] { try session.archive.replicas() }
}

/// Brings replica `name` (every replica when nil) up to date; one that fails (a drive not
/// mounted) does not stop the others.
public struct Replicate: ArchiveOperation {
    public var name: String?

    public init(name: String? = nil) { self.name = name }

    public struct Outcome: Codable, Sendable {
        public var replica: String
        public var summary: ReplicationSummary?
        public var error: String?
    }

    public func run(in session: Session) throws(KhoError) -> [Outcome] {
        try chosen(session.archive, name).map { replica in
            do throws(KhoError) {
                return Outcome(replica: replica.name, summary: try session.archive.replicate(replica, progress: session.progress), error: nil)
            } catch {
                return Outcome(replica: replica.name, summary: nil, error: error.message)
            }
        }
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
        /// Replicas that could not be looked at (a drive not mounted), with why.
        public var unreachable: [String: String]
        /// Replicas older than the age given, unreachable ones, and ones holding restricted
        /// bytes they should not: each a reason for a cron to alert.
        public var alerts: [String]
    }

    public func run(in session: Session) throws(KhoError) -> Document {
        let now = session.clock.now().epochSeconds ?? 0
        var statuses: [ReplicaStatus] = []
        var unreachable: [String: String] = [:]
        var alerts: [String] = []
        for replica in try chosen(session.archive, name) {
            do throws(KhoError) {
                statuses.append(try session.archive.replicaStatus(replica))
            } catch {
                unreachable[replica.name] = error.message
                alerts.append(replica.name)
            }
        }
        for s in statuses {
            let last = s.replica.lastReplicatedAt.flatMap { Timestamp(iso: $0).epochSeconds }
            let old = maxAgeSeconds.map { age in last.map { now - $0 > age } ?? true } ?? false
            if old || s.restrictedPresent > 0 { alerts.append(s.replica.name) }
        }
        return Document(replicas: statuses, unreachable: unreachable, alerts: alerts)
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

/// `kho verify --replica NAME`: every copy the replica should hold, re-hashed (or those an audit chooses).
public struct VerifyReplica: ArchiveOperation {
    public var name: String
    public var audit: Audit

    public init(name: String, audit: Audit = Audit()) {
        self.name = name
        self.audit = audit
    }

    public func run(in session: Session) throws(KhoError) -> ReplicaVerification {
        try session.archive.verifyReplica(try chosen(session.archive, name)[0], selection: audit.selection(session), progress: session.progress)
    }
}

/// `kho verify --older-than AGE --limit N --max-rate RATE`: a scheduled audit's choice.
public struct Audit: Sendable {
    /// Only copies not checked for this many seconds.
    public var olderThanSeconds: Double?
    public var limit: Int?
    public var maxBytesPerSecond: Double?

    public init(olderThanSeconds: Double? = nil, limit: Int? = nil, maxBytesPerSecond: Double? = nil) {
        self.olderThanSeconds = olderThanSeconds
        self.limit = limit
        self.maxBytesPerSecond = maxBytesPerSecond
    }

    func selection(_ session: Session) -> AuditSelection {
        let now = session.clock.now().epochSeconds ?? 0
        let uptime = session.clock.uptime
        return AuditSelection(checkedBefore: olderThanSeconds.map { Timestamp(epochSeconds: now - $0) }, limit: limit,
                              throttle: maxBytesPerSecond.map { Throttle(bytesPerSecond: $0, uptime: uptime) })
    }
}

/// `kho repair [--replica NAME]`: the archive's missing or damaged blobs from replicas' good
/// copies, and those replicas' missing or damaged copies from the archive.
public struct Repair: ArchiveOperation {
    public var replica: String?

    public init(replica: String? = nil) { self.replica = replica }

    public func run(in session: Session) throws(KhoError) -> RepairReport {
        let replicas: [ReplicaRecord]
        if let replica { replicas = try chosen(session.archive, replica) } else { replicas = try session.archive.replicas() }
        return try session.archive.repair(replicas: replicas, progress: session.progress)
    }
}
