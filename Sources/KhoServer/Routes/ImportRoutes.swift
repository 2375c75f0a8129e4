// Importing a manifest from the browser: the CSV and the files it names go up like any upload
// (a dropped or chosen folder keeps its tree), are gathered into a job's folder of the archive
// (hard links, no copy) and checked as a background job: the dry run's problems come as a table
// first. The real run is a second job on the same folder; its progress and per-row results
// survive a page reload (they are files of the job). Rows of units outside the clerk's scope
// are refused, and products outside it are neither matched nor named (ImportOptions.within).
import Foundation
import HTTPTypes
import Hummingbird
import KhoBundle
import KhoCore
import KhoOperations
import KhoPlatform
import KhoStore

struct ImportRoutes {
    let state: ServerState

    func add(to router: Router<KhoContext>) {
        router.get("/import") { _, context in try await start(context) }
        router.post("/import") { request, context in try await gather(request, context) }
        router.get("/import/{job}") { _, context in try await job(context) }
        router.post("/import/{job}/run") { _, context in try await run(context) }
        router.get("/import/{job}/result.csv") { _, context in try await resultFile(context) }
    }

    func importer(_ context: KhoContext) throws -> StoredSession {
        guard let session = context.session else { throw KhoError(.notAuthenticated, "Hãy đăng nhập trước.") }
        guard Permissions.allows(session.user.role, .create) else { throw KhoError(.forbidden, "Vai trò của bạn không nhập sản phẩm.") }
        return session
    }

    // MARK: the start page

    func start(_ context: KhoContext, problems: [String] = [], status: Int = 200) async throws -> Response {
        guard context.session != nil else { return Response.redirect(to: "/login", type: .found) }
        let session = try importer(context)
        let recent = state.jobs.records().filter { ($0.kind == .importCheck || $0.kind == .importRun) && $0.owner == session.user.name }.prefix(10)
        let fields: [String: Any] = [
            "problems": problems, "maxUpload": String(state.options.maxUploadBytes), "maxUploadText": VietnameseFormat.bytes(state.options.maxUploadBytes),
            "recent": recent.map(ImportView.summary), "hasRecent": !recent.isEmpty,
        ]
        return state.pages.render("importStart", Pages.fields(context, fields), status: status, title: "Nhập từ bảng kê")
    }

    /// The uploads of the form gathered into a new job's folder, then checked in the background.
    func gather(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try importer(context)
        state.cleanUpNowAndThen()
        let pairs = try await Forms.readPairs(request, context: context, limit: Self.maxFormBytes)
        var ids: [String] = []
        var seen: Set<String> = []
        for (name, value) in pairs where name == "upload" && seen.insert(value).inserted {
            guard UploadRecord.isValidID(value) else { return try await start(context, problems: [Lang.pick("Mã tệp tải lên '\(value.prefix(40))' không hợp lệ.", "'\(value.prefix(40))' is not an upload's ID.")], status: 422) }
            ids.append(value)
        }
        guard !ids.isEmpty else {
            return try await start(context, problems: ["Chưa có tệp nào: hãy tải lên bảng kê (CSV) cùng các tệp nó nhắc tới, hoặc cả thư mục."], status: 422)
        }
        guard ids.count <= Self.maxFiles else {
            return try await start(context, problems: [Lang.pick("Mỗi lần nhập tối đa \(Self.maxFiles) tệp; hãy chia thành nhiều bảng kê.", "An import takes at most \(Self.maxFiles) files; split it into several manifests.")], status: 413)
        }
        // Before anything is gathered: a refused job must not have taken the uploads.
        do { try state.jobs.checkRoom(for: session.user) } catch { return try await start(context, problems: [error.message], status: 429) }
        let (uploads, jobs, owner, now, jobID, taken) = (state.uploads, state.archive.makeJobArea(), session.user.name, state.now(), Tokens.hex(), ids)
        let gathered = (try? await state.pool.run { () -> Result<Gathered, KhoError> in
            do throws(KhoError) { return .success(try Self.gather(taken, uploads: uploads, jobs: jobs, jobID: jobID, owner: owner, now: now)) } catch {
                return .failure(error)
            }
        }) ?? .failure(KhoError(.internal, "the uploads could not be gathered"))
        switch gathered {
        case .failure(let error) where error.code.httpStatus < 500:
            return try await start(context, problems: [error.message], status: error.code.httpStatus)
        case .failure(let error):
            throw error
        case .success(let g):
            let visibility = ProductRoutes.visibility(session)
            var parameters = ["manifest": g.manifestName, "files": String(g.files), "skipped": String(g.skipped), "folder": jobID]
            if let zip = g.zip { parameters["zip"] = zip }
            let given = g.manifest, folder = g.folder, zipped = g.zip != nil
            let submitted = Result { () throws(KhoError) in
                try state.jobs.submit(.importCheck, id: jobID, user: session.user, parameters: parameters, session: state.acting(session.user)) { acting throws(KhoError) in
                var (manifest, facts) = (given, [String: String]())
                if zipped { (manifest, facts) = try Self.unpack(given, folder: folder) }
                var op = ImportManifest(manifest: manifest, dryRun: true, report: folder.appending("check.csv"), within: visibility)
                op.inJobArea = true
                let document = try op.run(in: acting)
                try ImportView.save(document, to: folder.appending("check.json"), root: acting.archive.root)
                return facts.merging(["rows": String(document.rows), "ok": String(document.ok), "rejected": String(document.rejected),
                                      "alreadyPresent": String(document.alreadyPresent)]) { $1 }
                }
            }
            switch submitted {
            case .success:
                // The files are the job's now; the uploads they came from go.
                for id in g.uploads { state.uploads.remove(id) }
                return Response(status: .seeOther, headers: [.location: "/import/\(jobID)"])
            case .failure(let error):
                FS.removeTree(g.folder)
                return try await start(context, problems: [error.message], status: error.code.httpStatus)
            }
        }
    }

    /// The most files one import takes, and the largest form (their upload IDs) it reads.
    static let maxFiles = 20_000
    static let maxFormBytes = 1 << 20

    struct Gathered: Sendable {
        /// The uploads gathered (removed once the job is queued).
        var uploads: [String]
        var folder: HostPath
        var manifest: HostPath
        var manifestName: String
        var files: Int
        var skipped: Int
        /// The zip's name, when one zip holds the manifest and files (`manifest` is then the zip).
        var zip: String? = nil
    }

    /// A check job's first step for a zip: its manifest and files unpacked into `files/`, the
    /// zip removed; returns the manifest and what the job's record says of it.
    static func unpack(_ zip: HostPath, folder: HostPath) throws(KhoError) -> (manifest: HostPath, facts: [String: String]) {
        let files = folder.appending("files")
        // The zip goes whatever happens: its files are unpacked, or it was refused.
        defer { FS.remove(zip) }
        let unpacked = try ZipUnpack.unpack(zip, into: files, maxFiles: maxFiles)
        let parts: [String]
        switch UploadedTree.manifest(among: unpacked.files) {
        case .success(let p): parts = p
        case .failure(let error):
            FS.removeTree(files)
            throw error
        }
        return (parts.reduce(files) { $0.appending($1) },
                ["manifest": parts.joined(separator: "/"), "files": String(unpacked.files.count), "skipped": String(unpacked.skipped)])
    }

    /// Checks every upload first (complete, the user's, a safe path, one manifest, no two files
    /// at one path), then links them under `tmp/jobs/ID/files/`; on any problem nothing is left.
    static func gather(_ ids: [String], uploads: UploadArea, jobs: JobArea, jobID: String, owner: String, now: Double) throws(KhoError) -> Gathered {
        guard uploads.claim(ids) else {
            throw KhoError(.offsetMismatch, "Các tệp này đang được dùng cho một việc khác (có lẽ nút được bấm hai lần). Hãy xem danh sách việc nhập.")
        }
        defer { ids.forEach(uploads.release) }
        var placed: [(id: String, parts: [String])] = []
        var seen: Set<String> = []
        var skipped = 0
        for id in ids {
            let record = try uploads.record(id, owner: owner, now: now)
            guard record.isComplete else {
                throw KhoError(.uploadInterrupted, "Tệp \(FileName(bytes: record.fileName).display) chưa tải xong; hãy chờ rồi gửi lại.")
            }
            let metadata = (try? Tus.metadata(record.metadata).get()) ?? [:]
            let parts: [String]
            switch UploadedTree.path(metadata, fileName: record.fileName) {
            case .success(let p): parts = p
            case .failure(let problem):
                throw KhoError(.pathEscapesFolder, "Đường dẫn tệp '\(problem.value)' không dùng được: cần \(problem.expected).")
            }
            if UploadedTree.isClutter(parts) { skipped += 1; continue }
            let key = parts.joined(separator: "/")
            guard seen.insert(key).inserted else { throw KhoError(.usage, "Hai tệp cùng đường dẫn '\(key)'; hãy bỏ bớt một tệp.") }
            placed.append((id, parts))
        }
        // A file where another file needs a folder ("a" and "a/b"): said now, not as a lost upload.
        for (_, parts) in placed where parts.count > 1 {
            for depth in 1..<parts.count {
                let folder = parts[..<depth].joined(separator: "/")
                if seen.contains(folder) { throw KhoError(.usage, "'\(folder)' là một tệp nhưng cũng là thư mục của '\(parts.joined(separator: "/"))'; hãy đổi tên một trong hai.") }
            }
        }
        // One zip alone holds the manifest and its files: unpacked by the check job.
        if placed.count == 1, let name = placed[0].parts.last, UploadedTree.isZip(name) {
            let folder = try jobs.workFolder(jobID)
            let zip = folder.appending("upload.zip")
            do { _ = try uploads.link(placed[0].id, owner: owner, now: now, to: zip) } catch {
                FS.removeTree(folder)
                throw error
            }
            return Gathered(uploads: [placed[0].id], folder: folder, manifest: zip, manifestName: "", files: 0, skipped: skipped, zip: name)
        }
        let manifestParts: [String]
        switch UploadedTree.manifest(among: placed.map(\.parts)) {
        case .success(let parts): manifestParts = parts
        case .failure(let error): throw error
        }
        let folder = try jobs.workFolder(jobID)
        let files = folder.appending("files")
        do {
            for (id, parts) in placed {
                var destination = files
                for part in parts.dropLast() { destination = destination.appending(part) }
                try FS.makeDirectories(destination)
                _ = try uploads.link(id, owner: owner, now: now, to: destination.appending(parts.last!))
            }
        } catch {
            FS.removeTree(folder)
            throw error
        }
        let manifest = manifestParts.reduce(files) { $0.appending($1) }
        return Gathered(uploads: placed.map(\.id), folder: folder, manifest: manifest, manifestName: manifestParts.joined(separator: "/"), files: placed.count, skipped: skipped)
    }

    // MARK: a job's page

    /// The import job `id` of this user (or any, for an admin); 404 otherwise.
    func ownJob(_ context: KhoContext) throws -> (StoredSession, JobRecord) {
        let session = try importer(context)
        guard let id = context.parameters.get("job"), JobRecord.isValidID(id), let record = state.jobs.record(id),
              record.kind == .importCheck || record.kind == .importRun,
              record.owner == session.user.name || session.user.role == .admin else {
            throw KhoError(.unknownJob, "Không có việc nhập này. (No such import of yours.)")
        }
        return (session, record)
    }

    func job(_ context: KhoContext) async throws -> Response {
        guard context.session != nil else { return Response.redirect(to: "/login", type: .found) }
        let (_, record) = try ownJob(context)
        var fields = ImportView.summary(record)
        if record.state == .done, let folderID = record.parameters["folder"], let folder = state.archive.makeJobArea().existingWorkFolder(folderID) {
            let name = record.kind == .importCheck ? "check.json" : "run.json"
            let document = try await state.run { _ throws(KhoError) in ImportView.load(folder.appending(name)) }
            if let document { fields.merge(ImportView.rows(document, check: record.kind == .importCheck)) { _, new in new } }
        }
        if record.kind == .importCheck, record.state == .done {
            let run = record.parameters["run"].flatMap(state.jobs.record)
            if let run { fields["runLink"] = "/import/\(run.id)" }
            let runAgain = run.map { $0.state == .failed || $0.state == .interrupted } ?? true
            if runAgain, record.owner == context.session?.user.name, (Int(record.result["ok"] ?? "") ?? 0) > 0,
               state.archive.makeJobArea().existingWorkFolder(record.id).map({ FS.isDirectory($0.appending("files")) }) == true {
                fields["canRun"] = true
            }
        }
        if !record.state.isOver { fields["refresh"] = "2" }
        return state.pages.render("importJob", Pages.fields(context, fields), title: record.kind == .importCheck ? "Kiểm tra bảng kê" : "Nhập bảng kê")
    }

    /// The real run of a finished check, by the clerk who checked it (with their scope), once
    /// (again only after a run that failed or was interrupted).
    func run(_ context: KhoContext) async throws -> Response {
        let (session, check) = try ownJob(context)
        if let runID = check.parameters["run"], let run = state.jobs.record(runID), run.state != .failed && run.state != .interrupted {
            return Response(status: .seeOther, headers: [.location: "/import/\(runID)"])   // pressed again, or a reloaded form
        }
        guard check.kind == .importCheck, check.state == .done, check.owner == session.user.name, let folderID = check.parameters["folder"],
              let folder = state.archive.makeJobArea().existingWorkFolder(folderID), FS.isDirectory(folder.appending("files")) else {
            throw KhoError(.changedMeanwhile, "Chỉ người đã kiểm tra bảng kê mới nhập thật được, sau khi kiểm tra xong và trong vòng một ngày.")
        }
        try state.jobs.checkRoom(for: session.user)
        let runID = Tokens.hex()
        if let existing = state.jobs.claimRun(check.id, runID: runID) {
            return Response(status: .seeOther, headers: [.location: "/import/\(existing)"])
        }
        state.jobs.persist(check.id)
        let manifestName = check.result["manifest"] ?? check.parameters["manifest"] ?? ""
        let manifest = manifestName.split(separator: "/").reduce(folder.appending("files")) { $0.appending(String($1)) }
        let visibility = ProductRoutes.visibility(session)
        var parameters = check.parameters
        // What a zip's check found inside it.
        for key in ["manifest", "files", "skipped"] { if let found = check.result[key] { parameters[key] = found } }
        parameters["check"] = check.id
        parameters["run"] = nil
        let record = try state.jobs.submit(.importRun, id: runID, user: session.user, parameters: parameters, session: state.acting(session.user)) { acting throws(KhoError) in
            var op = ImportManifest(manifest: manifest, dryRun: false, report: folder.appending("result.csv"), within: visibility)
            op.inJobArea = true
            let document = try op.run(in: acting)
            try ImportView.save(document, to: folder.appending("run.json"), root: acting.archive.root)
            // The files are in the archive now (or were refused): their links are not kept.
            FS.removeTree(folder.appending("files"))
            return ["rows": String(document.rows), "stored": String(document.stored), "updated": String(document.updated),
                    "alreadyPresent": String(document.alreadyPresent), "rejected": String(document.rejected)]
        }
        return Response(status: .seeOther, headers: [.location: "/import/\(record.id)"])
    }

    /// The result file of a check or a run (the same columns as `kho import`'s), UTF-8 with a BOM.
    func resultFile(_ context: KhoContext) async throws -> Response {
        let (_, record) = try ownJob(context)
        let noResult = KhoError(.unknownJob, "Việc này chưa có kết quả.")
        guard record.state.isOver, let folderID = record.parameters["folder"], let folder = state.archive.makeJobArea().existingWorkFolder(folderID) else { throw noResult }
        let path = folder.appending(record.kind == .importCheck ? "check.csv" : "result.csv")
        let root = state.archive.root
        // Read off the event loop; the archive's folders taken out of the messages.
        guard let text = try await state.run({ _ throws(KhoError) -> String? in
            FileManager.default.contents(atPath: path.description).map { JobArea.hidingFolders(String(decoding: $0, as: UTF8.self), root: root) }
        }) else { throw noResult }
        var body = ByteBuffer(bytes: [0xEF, 0xBB, 0xBF])
        body.writeString(text)
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "private, no-store",
                                               .contentDisposition: "attachment; filename=\"ket-qua-nhap.csv\""], body: .init(byteBuffer: body))
    }
}
