// The exports page and API, for exporters and admins: start an export of a unit of the user's
// scope and a period (a background job; its page reloads itself until the job is over), the
// list of exports of the scope, each bundle downloadable with byte ranges. The bundle is what
// `kho export` makes (one code path): restricted products never leave. Exports made here are
// kept in the archive's `exports/` folder; only those are downloadable, by their export ID.
import Foundation
import HTTPTypes
import Hummingbird
import KhoBundle
import KhoCore
import KhoOperations
import KhoPlatform
import KhoStore

struct ExportRoutes {
    let state: ServerState

    func add(to router: Router<KhoContext>) {
        router.get("/exports") { request, context in try await page(request, context) }
        router.post("/exports") { request, context in try await startFromForm(request, context) }
        router.get("/exports/{export}/bundle") { request, context in try await download(request, context) }
        router.get("/exports/jobs/{job}") { _, context in try await jobPage(context) }
        router.get("/api/v1/exports") { _, context in try await apiList(context) }
        router.post("/api/v1/exports") { request, context in try await apiStart(request, context) }
        router.get("/api/v1/exports/{export}/bundle") { request, context in try await download(request, context) }
        router.get("/api/v1/jobs/{job}") { _, context in try await apiJob(context) }
    }

    func exporter(_ context: KhoContext) throws -> StoredSession {
        guard let session = context.session else { throw KhoError(.notAuthenticated, "Hãy đăng nhập trước. (Log in or send an API token.)") }
        guard Permissions.allows(session.user.role, .export) else { throw KhoError(.forbidden, "Vai trò của bạn không xuất dữ liệu. (Your role may not export.)") }
        return session
    }

    /// What an export is asked for, checked.
    struct Ask: Sendable {
        var unit: String?
        var period: Period?
        var sinceLast: Bool
        var format: BundleFormat
    }

    /// What is wrong with a request, by field.
    struct FieldProblems: Error { var byField: [String: String] }

    /// The fields of a request to export, checked against the user's scope; problems by field.
    func check(unit: String?, period: String?, since: String?, format: String?, user: UserAccount) -> Result<Ask, FieldProblems> {
        var problems: [String: String] = [:]
        var ask = Ask(unit: user.unit, period: nil, sinceLast: false, format: .tar)
        if let unit = unit?.trimmingWhitespace(), !unit.isEmpty {
            if UnitTable.standard.units(unit).isEmpty {
                problems["unit"] = "Không có đơn vị mã '\(unit)'. (No unit has code '\(unit)'.)"
            } else if !ReportRoutes.inScope(unit, userUnit: user.unit) {
                problems["unit"] = "Đơn vị \(unit) không thuộc phạm vi của bạn. (Unit \(unit) is outside your scope.)"
            } else {
                ask.unit = unit
            }
        }
        if let text = period?.trimmingWhitespace(), !text.isEmpty {
            switch Period.parse(text, campaigns: state.archive.config.campaigns) {
            case .success(let p): ask.period = p
            case .failure(let problem): problems["period"] = "Kỳ '\(text)' không hợp lệ: cần \(problem.expected)."
            }
        }
        switch since?.trimmingWhitespace() ?? "" {
        case "", "everything": ask.sinceLast = false
        case "last": ask.sinceLast = true
        case let other: problems["since"] = "'\(other)' không phải everything hoặc last. ('\(other)' is not one of everything, last.)"
        }
        if let text = format?.trimmingWhitespace(), !text.isEmpty {
            if let f = BundleFormat(rawValue: text), f != .tarZst { ask.format = f } else {
                problems["format"] = "Định dạng '\(text)' không dùng được: cần tar, tar.gz hoặc zip. ('\(text)': expected tar, tar.gz or zip.)"
            }
        }
        return problems.isEmpty ? .success(ask) : .failure(FieldProblems(byField: problems))
    }

    /// Free space an export needs on the archive's disk before it starts (a bundle that does
    /// not fit fails and is removed; this keeps the disk from being filled to the last byte).
    static let minimumFreeBytes: Int64 = 1 << 30

    /// Queues the export as a job of `session`'s user.
    func start(_ ask: Ask, _ session: StoredSession) throws(KhoError) -> JobRecord {
        state.cleanUpNowAndThen()
        if let free = FS.availableBytes(state.archive.root), free < Self.minimumFreeBytes {
            throw KhoError(.diskFull, "Đĩa của kho chỉ còn \(VietnameseFormat.bytes(free)) trống; cần ít nhất \(VietnameseFormat.bytes(Self.minimumFreeBytes)) để xuất. Hãy báo quản trị viên.")
        }
        let id = Tokens.hex()
        let slug = { (text: String) in String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }) }
        let name = "kho-\(ask.unit ?? "toan-bo")-\(ask.period.map { slug($0.label) } ?? "moi-ky")-\(id.prefix(8)).\(ask.format.rawValue)"
        var parameters = ["unit": ask.unit ?? "", "period": ask.period?.label ?? "", "since": ask.sinceLast ? "last" : "everything",
                          "format": ask.format.rawValue, "file": name]
        parameters["scope"] = Pages.unitName(ask.unit)
        return try state.jobs.submit(.export, id: id, user: session.user, parameters: parameters, session: state.acting(session.user)) { acting throws(KhoError) in
            let output = try OutputFile.archiveExport(named: name, in: acting.archive)
            let summary = try Export(unitCode: ask.unit, period: ask.period, since: ask.sinceLast ? .lastExport : .everything,
                                     format: ask.format, output: output).run(in: acting)
            return ["exportID": summary.exportID, "products": String(summary.products), "payloadFiles": String(summary.payloadFiles),
                    "payloadBytes": String(summary.payloadBytes), "restrictedLeftOut": String(summary.restrictedLeftOut),
                    "bundleSHA256": summary.bundleSHA256]
        }
    }

    // MARK: the page

    func page(_ request: Request, _ context: KhoContext, problems: [String: String] = [:], form: [String: String] = [:], status: Int = 200) async throws -> Response {
        guard context.session != nil else { return Response.redirect(to: "/login", type: .found) }
        let session = try exporter(context)
        let exports = try await visibleExports(session)
        let jobs = visibleJobs(session).prefix(20)
        var fields: [String: Any] = [
            "jobs": jobs.map(ExportView.job), "hasJobs": !jobs.isEmpty,
            "exports": exports.map(ExportView.export), "hasExports": !exports.isEmpty,
            "unit": form["unit"] ?? session.user.unit ?? "", "period": form["period"] ?? "",
            "sinceLast": form["since"] == "last",
            "formats": [("tar", "tar"), ("zip", "zip"), ("tar.gz", "tar.gz")].map { ["value": $0.0, "label": $0.1, "selected": (form["format"] ?? "tar") == $0.0] },
            "problems": problems.sorted { $0.key < $1.key }.map(\.value),
        ]
        for (field, message) in problems { fields["\(field)Problem"] = message }
        return state.pages.render("exports", Pages.fields(context, fields), status: status, title: "Xuất dữ liệu")
    }

    /// One export job: its progress (the page reloads itself until the job is over; the form
    /// is on another page, so nothing typed is lost), then its bundle.
    func jobPage(_ context: KhoContext) async throws -> Response {
        guard context.session != nil else { return Response.redirect(to: "/login", type: .found) }
        let session = try exporter(context)
        guard let id = context.parameters.get("job"), JobRecord.isValidID(id), let record = state.jobs.record(id), record.kind == .export,
              record.owner == session.user.name || session.user.role == .admin else {
            throw KhoError(.unknownJob, "Không có việc xuất này. (No such export job of yours.)")
        }
        var fields = ExportView.job(record)
        if !record.state.isOver { fields["refresh"] = "3" }
        return state.pages.render("exportJob", Pages.fields(context, fields), title: "Việc xuất dữ liệu")
    }

    func startFromForm(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try exporter(context)
        let form = try await Forms.read(request, context: context)
        switch check(unit: form["unit"], period: form["period"], since: form["since"], format: form["format"], user: session.user) {
        case .failure(let problems):
            return try await page(request, context, problems: problems.byField, form: form, status: 422)
        case .success(let ask):
            let record = try start(ask, session)
            return Response(status: .seeOther, headers: [.location: "/exports/jobs/\(record.id)"])
        }
    }

    /// Where an export's bundle is, for the web app.
    enum Kept: Sendable {
        /// In the archive's exports folder, this many bytes: downloadable.
        case here(Int64)
        /// Was there, removed after `ServerState.keepExports`.
        case removed
        /// Made on the command line, somewhere else.
        case elsewhere
        var size: Int64? { if case .here(let n) = self { n } else { nil } }
    }

    /// The exports of the user's scope, newest first, with whether their bundle can be downloaded here.
    func visibleExports(_ session: StoredSession) async throws -> [(ExportRecord, Kept)] {
        let userUnit = session.user.unit
        return try await state.run { archive throws(KhoError) in
            let folder = FS.realPath(archive.root.appending("exports"))
            return try archive.exports().reversed().filter { Self.inScope($0.scopeKey, userUnit: userUnit) }.map { record in
                (record, Self.kept(record, exportsFolder: folder))
            }
        }
    }

    /// The jobs the user may follow: their own, or every export job for an admin.
    func visibleJobs(_ session: StoredSession) -> [JobRecord] {
        state.jobs.records().filter { $0.kind == .export && ($0.owner == session.user.name || session.user.role == .admin) }
    }

    /// Whether an export of `scopeKey` ("unit=ERA:CODE;period=…" or "unit=all;…") lies in the scope of a user of `userUnit`.
    static func inScope(_ scopeKey: String, userUnit: String?) -> Bool {
        guard let userUnit else { return true }
        guard let unitPart = scopeKey.split(separator: ";").first, unitPart.hasPrefix("unit="), unitPart != "unit=all",
              let code = unitPart.split(separator: ":").last else { return false }
        return ReportRoutes.inScope(String(code), userUnit: userUnit)
    }

    /// Whether an export's bundle is a file of the archive's exports folder (made by the web
    /// app) and still there.
    static func kept(_ record: ExportRecord, exportsFolder: String?) -> Kept {
        let path = HostPath(record.file)
        guard let exportsFolder, FS.realPath(path.parentFolder) == exportsFolder else { return .elsewhere }
        guard let st = FS.fileStatus(path), st.st_mode & S_IFMT == S_IFREG else { return .removed }
        return .here(Int64(st.st_size))
    }

    // MARK: downloads

    func download(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try exporter(context)
        let notFound = KhoError(.unknownJob, "Không có gói xuất này trong phạm vi của bạn. (No such export in your scope.)")
        guard let id = context.parameters.get("export"), id.count <= 100 else { throw notFound }
        // The one export asked for, looked up by its ID (not every export with its product list).
        let userUnit = session.user.unit
        let found = try await state.run { archive throws(KhoError) -> (ExportRecord, Kept)? in
            guard let record = try archive.export(id: id), Self.inScope(record.scopeKey, userUnit: userUnit) else { return nil }
            return (record, Self.kept(record, exportsFolder: FS.realPath(archive.root.appending("exports"))))
        }
        guard let (record, kept) = found, let size = kept.size else { throw notFound }
        let type = switch record.format {
        case "zip": "application/zip"
        case "tar.gz": "application/gzip"
        case "tar.zst": "application/zstd"
        default: "application/x-tar"
        }
        let name = String(decoding: HostPath(record.file).lastComponent, as: UTF8.self)
        let headers: HTTPFields = [.contentType: type, .cacheControl: "private, no-store", .contentDisposition: FileRoutes.disposition("attachment", name: name),
                                   .contentSecurityPolicy: "default-src 'none'; sandbox"]
        return try await FileRoutes.serve(request, context, path: HostPath(record.file), size: size, etag: "\"\(record.bundleSHA256)\"", headers: headers)
    }

    // MARK: the API

    struct ExportList: Encodable { var exports: [ExportItem] }
    struct ExportItem: Encodable {
        var exportID: String, scope: String, period: String, follows: String?, createdAt: String, format: String
        var bundleSHA256: String, payloadBytes: Int64, products: Int
        /// Where to download the bundle; null when it was made on the command line (not kept by the server).
        var download: String?
        var bundleBytes: Int64?
    }

    func apiList(_ context: KhoContext) async throws -> Response {
        let session = try exporter(context)
        let items = try await visibleExports(session).map { record, kept -> ExportItem in
            let size = kept.size
            return ExportItem(exportID: record.exportID, scope: record.scope, period: record.period, follows: record.follows, createdAt: record.createdAt.iso,
                       format: record.format, bundleSHA256: record.bundleSHA256, payloadBytes: record.payloadBytes, products: record.productCount,
                       download: size == nil ? nil : "/api/v1/exports/\(record.exportID)/bundle", bundleBytes: size)
        }
        return ApiRoutes.json(ExportList(exports: items))
    }

    struct StartBody: Decodable { var unit: String?; var period: String?; var since: String?; var format: String? }

    func apiStart(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try exporter(context)
        let body = try await Forms.json(StartBody.self, request)
        switch check(unit: body.unit, period: body.period, since: body.since, format: body.format, user: session.user) {
        case .failure(let problems):
            let first = problems.byField.sorted { $0.key < $1.key }[0]
            // A unit outside the caller's scope is "not found", like a product outside it.
            throw KhoError(first.key == "unit" ? .unknownUnit : first.key == "period" ? .invalidPeriod : .invalidChoice, "\(first.key): \(first.value)")
        case .success(let ask):
            let record = try start(ask, session)
            var response = ApiRoutes.json(JobDocument(record))
            response.status = .accepted
            response.headers[.location] = "/api/v1/jobs/\(record.id)"
            return response
        }
    }

    func apiJob(_ context: KhoContext) async throws -> Response {
        guard let session = context.session else { throw KhoError(.notAuthenticated, "send 'Authorization: Bearer TOKEN' or log in") }
        let notFound = KhoError(.unknownJob, "no such job of yours")
        guard let id = context.parameters.get("job"), JobRecord.isValidID(id), let record = state.jobs.record(id),
              record.owner == session.user.name || session.user.role == .admin else { throw notFound }
        return ApiRoutes.json(JobDocument(record))
    }
}

/// A job as the API shows it.
struct JobDocument: Encodable {
    var id: String, kind: String, state: String, owner: String
    var parameters: [String: String], result: [String: String]
    var message: String?
    var createdAt: String, startedAt: String?, finishedAt: String?
    var bytesDone: Int64, bytesTotal: Int64, itemsDone: Int, itemsTotal: Int
    /// The finished export's bundle.
    var download: String?

    init(_ r: JobRecord) {
        id = r.id
        kind = r.kind.rawValue
        state = r.state.rawValue
        owner = r.owner
        var parameters = r.parameters
        parameters["scope"] = nil
        self.parameters = parameters
        result = r.result
        message = r.message
        createdAt = Timestamp(epochSeconds: r.createdAt).iso
        startedAt = r.startedAt.map { Timestamp(epochSeconds: $0).iso }
        finishedAt = r.finishedAt.map { Timestamp(epochSeconds: $0).iso }
        bytesDone = r.bytesDone
        bytesTotal = r.bytesTotal
        itemsDone = r.itemsDone
        itemsTotal = r.itemsTotal
        if r.kind == .export, r.state == .done, let exportID = r.result["exportID"] { download = "/api/v1/exports/\(exportID)/bundle" }
    }
}

/// What the exports page shows of jobs and exports: Vietnamese numbers, dates and states.
enum ExportView {
    static func stateName(_ s: JobRecord.State) -> String {
        Lang.text(vietnameseState(s))
    }

    static func vietnameseState(_ s: JobRecord.State) -> String {
        switch s {
        case .queued: "đang chờ"
        case .running: "đang chạy"
        case .done: "xong"
        case .failed: "không thành công"
        case .interrupted: "bị ngắt"
        }
    }

    static func job(_ r: JobRecord) -> [String: Any] {
        let period = r.parameters["period"].flatMap { $0.isEmpty ? nil : $0 } ?? Lang.text("mọi kỳ")
        var out: [String: Any] = [
            "when": VietnameseFormat.instant(Timestamp(epochSeconds: r.createdAt)), "scope": r.parameters["scope"] ?? "",
            "period": period, "since": r.parameters["since"] == "last", "format": r.parameters["format"] ?? "", "owner": r.owner,
            "state": stateName(r.state), "running": !r.state.isOver, "link": "/exports/jobs/\(r.id)", "failed": r.state == .failed || r.state == .interrupted,
            "message": r.message ?? "",
            "progress": String(r.bytesDone), "total": String(max(r.bytesTotal, 1)),
            "progressText": r.bytesTotal > 0 ? "\(VietnameseFormat.bytes(r.bytesDone)) / \(VietnameseFormat.bytes(r.bytesTotal))" : "",
        ]
        if r.state == .done, let exportID = r.result["exportID"] {
            out["download"] = "/exports/\(exportID)/bundle"
            out["products"] = VietnameseFormat.integer(Int64(r.result["products"] ?? "") ?? 0)
            out["restrictedLeftOut"] = VietnameseFormat.integer(Int64(r.result["restrictedLeftOut"] ?? "") ?? 0)
        }
        return out
    }

    static func export(_ entry: (ExportRecord, ExportRoutes.Kept)) -> [String: Any] {
        let (r, kept) = entry
        var out: [String: Any] = [
            "when": VietnameseFormat.instant(r.createdAt), "scope": r.scope, "period": r.period, "id": r.exportID,
            "products": VietnameseFormat.integer(Int64(r.productCount)), "payload": VietnameseFormat.bytes(r.payloadBytes),
            "format": r.format, "sha256": r.bundleSHA256, "follows": r.follows ?? "", "isIncremental": r.follows != nil,
        ]
        switch kept {
        case .here(let size):
            out["download"] = "/exports/\(r.exportID)/bundle"
            out["size"] = VietnameseFormat.bytes(size)
        case .removed: out["removed"] = true
        case .elsewhere: out["elsewhere"] = true
        }
        return out
    }
}
