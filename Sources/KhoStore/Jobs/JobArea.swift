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
    /// The archive's folder.
    public let root: HostPath

    init(archive: Archive) {
        root = archive.root
        folder = archive.root.appending("tmp").appending("jobs")
    }

    /// `text` with the archive's folders taken out: a job's files named as in the clerk's own
    /// folder, anything else of the archive as "…".
    public static func hidingFolders(_ text: String, root: HostPath) -> String {
        var out = text
        let jobs = root.appending("tmp").appending("jobs").description + "/"
        // tmp/jobs/ID/files/ and tmp/jobs/ID/: what follows is the clerk's own path.
        while let start = out.range(of: jobs) {
            var end = start.upperBound
            let id = out[end...].prefix(32)
            if id.count == 32, JobRecord.isValidID(String(id)) {
                end = out.index(end, offsetBy: 32)
                if out[end...].hasPrefix("/files/") { end = out.index(end, offsetBy: 7) }
                else if out[end...].hasPrefix("/files") { end = out.index(end, offsetBy: 6) }
                else if out[end...].hasPrefix("/") { end = out.index(after: end) }
            }
            out.replaceSubrange(start.lowerBound..<end, with: "")
        }
        return out.replacingOccurrences(of: root.description, with: "…")
    }

    /// A job's folder if it exists (nothing is made).
    public func existingWorkFolder(_ id: String) -> HostPath? {
        guard JobRecord.isValidID(id) else { return nil }
        let path = folder.appending(id)
        return FS.isDirectory(path) ? path : nil
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

    /// Removes finished jobs older than `before` with their work folders, the gathered files
    /// of import checks never run that finished before `unrunChecksBefore`, and folders no
    /// record owns (older than an hour: a job being started has its folder before its record).
    /// Returns the IDs of the jobs removed.
    @discardableResult
    public func removeFinished(before: Double, unrunChecksBefore: Double = 0) -> [String] {
        var removed: [String] = []
        let records = all()
        for record in records where record.state.isOver {
            let finished = record.finishedAt ?? record.createdAt
            if finished < before {
                FS.removeTree(folder.appending(record.id))
                FS.remove(recordPath(record.id))
                removed.append(record.id)
            } else if record.kind == .importCheck, record.state != .done || record.parameters["run"] == nil, finished < unrunChecksBefore {
                // A check never run (or one that failed or was cut off): its files and zip go, its results stay.
                FS.removeTree(folder.appending(record.id).appending("files"))
                FS.remove(folder.appending(record.id).appending("upload.zip"))
            }
        }
        let owned = Set(records.map(\.id)).subtracting(removed)
        for name in (try? FS.list(folder)) ?? [] where JobRecord.isValidID(name) && !owned.contains(name) {
            let path = folder.appending(name)
            if let st = FS.fileStatus(path), st.st_mode & S_IFMT == S_IFDIR, Double(st.st_mtim.tv_sec) < Double(time(nil)) - 3600 {
                FS.removeTree(path)
            }
        }
        return removed
    }
}

extension Archive {
    public func makeJobArea() -> JobArea { JobArea(archive: self) }

    /// Removes the web app's bundles made before `before` (seconds since 1970) and, with
    /// `partials` (only when no export can be running: at the server's start), bundles a
    /// stopped server left half-written; their records stay. Returns how many files went.
    @discardableResult
    public func removeOldExports(before: Double, partials: Bool = false) -> Int {
        let path = root.appending("exports")
        var removed = 0
        for name in (try? FS.list(path)) ?? [] {
            let file = path.appending(name)
            guard let st = FS.fileStatus(file), st.st_mode & S_IFMT == S_IFREG else { continue }
            let partial = name.contains(".kho-partial-")
            if partial ? partials : Double(st.st_mtim.tv_sec) < before {
                FS.remove(file)
                removed += 1
            }
        }
        return removed
    }

    /// The folder of the exports the web app makes (`exports/` in the archive), made on first use.
    public func exportsFolder() throws(KhoError) -> HostPath {
        let path = root.appending("exports")
        try FS.makeDirectories(path)
        return path
    }
}
