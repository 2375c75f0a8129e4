// Background work of the web app (exports, imports) kept in the archive: `tmp/jobs/ID.json`
// holds a job's record, replaced by rename at every change of state, and `tmp/jobs/ID/` what
// the job works on (an import's manifest and files, its result file). A page reload, a second
// browser or a restart of the server all read the same records; work that was under way when
// the server stopped is marked interrupted, never shown as still running.
import Foundation
import KhoCore
import KhoPlatform

/// One job: what was asked, by whom, how far it got, and what came of it.
public struct JobRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case export
        /// An import's dry run: every row checked, nothing stored.
        case importCheck = "import_check"
        case importRun = "import"
    }
    public enum State: String, Codable, Sendable {
        case queued, running, done, failed
        /// The server stopped while the job was queued or running.
        case interrupted
        public var isOver: Bool { self == .done || self == .failed || self == .interrupted }
    }
    /// 32 hex digits.
    public var id: String
    public var kind: Kind
    /// The user who started it, and their unit then.
    public var owner: String
    public var ownerUnit: String?
    public var state: State
    /// What was asked (unit, period, file names), as the job's page shows it.
    public var parameters: [String: String]
    /// What came of it (an export's ID and file, an import's counts).
    public var result: [String: String]
    /// Why it failed, when it did.
    public var message: String?
    public var createdAt: Double
    public var startedAt: Double?
    public var finishedAt: Double?
    public var bytesDone: Int64 = 0
    public var bytesTotal: Int64 = 0
    public var itemsDone = 0
    public var itemsTotal = 0

    public init(id: String, kind: Kind, owner: String, ownerUnit: String?, parameters: [String: String], createdAt: Double) {
        self.id = id
        self.kind = kind
        self.owner = owner
        self.ownerUnit = ownerUnit
        self.state = .queued
        self.parameters = parameters
        self.result = [:]
        self.createdAt = createdAt
    }

    public static func isValidID(_ id: String) -> Bool { UploadRecord.isValidID(id) }
}

public final class JobArea: Sendable {
    public let folder: HostPath

    init(archive: Archive) {
        folder = archive.root.appending("tmp").appending("jobs")
    }

    func recordPath(_ id: String) -> HostPath { folder.appending("\(id).json") }

    /// The folder a job works in (made on first use).
    public func workFolder(_ id: String) throws(KhoError) -> HostPath {
        guard JobRecord.isValidID(id) else { throw KhoError(.internal, "a job's ID is 32 hex digits, not '\(id)'") }
        let path = folder.appending(id)
        try FS.makeDirectories(path)
        return path
    }

    public func save(_ record: JobRecord) throws(KhoError) {
        guard JobRecord.isValidID(record.id) else { throw KhoError(.internal, "a job's ID is 32 hex digits, not '\(record.id)'") }
        try FS.makeDirectories(folder)
        let bytes: Data
        do { bytes = try JSONEncoder().encode(record) } catch { throw KhoError(.internal, "a job's record does not encode: \(error)") }
        try FS.writeDurably(Array(bytes), to: recordPath(record.id), temp: folder.appending(".\(record.id).json.new"), mode: 0o600)
    }

    /// Every readable record, newest first.
    public func all() -> [JobRecord] {
        guard let names = try? FS.list(folder) else { return [] }
        return names.compactMap { name -> JobRecord? in
            guard name.hasSuffix(".json"), JobRecord.isValidID(String(name.dropLast(5))),
                  let bytes = FileManager.default.contents(atPath: folder.appending(name).description) else { return nil }
            return try? JSONDecoder().decode(JobRecord.self, from: bytes)
        }.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    /// Marks the jobs a stopped server left queued or running as interrupted; returns them.
    @discardableResult
    public func recover(now: Double) -> [JobRecord] {
        var recovered: [JobRecord] = []
        for var record in all() where !record.state.isOver {
            record.state = .interrupted
            record.finishedAt = now
            record.message = "Máy chủ đã dừng khi việc này đang chạy; hãy chạy lại. (The server stopped while this job ran; start it again.)"
            if (try? save(record)) != nil { recovered.append(record) }
        }
        return recovered
    }

    /// Removes finished jobs older than `before` with their work folders; returns how many.
    @discardableResult
    public func removeFinished(before: Double) -> Int {
        var removed = 0
        for record in all() where record.state.isOver && (record.finishedAt ?? record.createdAt) < before {
            FS.removeTree(folder.appending(record.id))
            FS.remove(recordPath(record.id))
            removed += 1
        }
        return removed
    }
}

extension Archive {
    public func makeJobArea() -> JobArea { JobArea(archive: self) }

    /// The folder of the exports the web app makes (`exports/` in the archive), made on first use.
    public func exportsFolder() throws(KhoError) -> HostPath {
        let path = root.appending("exports")
        try FS.makeDirectories(path)
        return path
    }
}
