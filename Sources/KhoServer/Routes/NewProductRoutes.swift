// Putting a product into the archive from the browser: the form, and its saving. Files come
// as complete resumable uploads of the same user (their IDs in the form); without files, a
// physical product is registered on its carrier. Only units of the user's scope; a problem
// sends the form back with every value kept and each problem beside its field.
import Foundation
import Hummingbird
import KhoCore
import KhoOperations
import KhoStore

struct NewProductRoutes {
    let state: ServerState

    func add(to router: Router<KhoContext>) {
        router.get("/products/new") { request, context in try await form(request, context) }
        router.post("/products/new") { request, context in try await save(request, context) }
        router.get("/static/kho-upload.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: UploadScript.text)))
        }
        router.get("/static/kho-upload.en.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: UploadScript.english)))
        }
    }

    func creator(_ context: KhoContext) throws -> StoredSession {
        guard let session = context.session else { throw KhoError(.notAuthenticated, "Hãy đăng nhập trước.") }
        guard Permissions.allows(session.user.role, .create) else {
            throw KhoError(.forbidden, "Vai trò của bạn không được thêm sản phẩm.")
        }
        return session
    }

    /// The empty form, or one filled like product `like` (batch work: the shared fields kept).
    func form(_ request: Request, _ context: KhoContext) async throws -> Response {
        guard context.session != nil else { return Response.redirect(to: "/login", type: .found) }
        let session = try creator(context)
        var values = FormValues(unit: session.user.unit ?? "")
        if let likeText = Forms.parse(request.uri.query ?? "")["like"], case .success(let id) = ProductID.parse(likeText) {
            let visibility = ProductRoutes.visibility(session)
            if let like = try await state.run({ archive throws(KhoError) in try archive.product(id, as: visibility) }) {
                values = FormValues(like: like.metadata)
            }
        }
        var made: [[String: String]] = []
        let query = Forms.parse(request.uri.query ?? "")
        if let list = query["made"] {
            let ids = list.split(separator: ",").prefix(Self.maxListed).compactMap { try? ProductID.parse(String($0)).get() }
            let visibility = ProductRoutes.visibility(session)
            let found = try await state.run { archive throws(KhoError) in
                var out: [Product] = []
                for id in ids { if let product = try archive.product(id, as: visibility) { out.append(product) } }
                return out
            }
            made = found.map { ["id": $0.id.description, "title": $0.metadata.title] }
            values.batch = "each"
        }
        let count = query["count"].flatMap(Int.init) ?? made.count
        return render(context, values: values, errors: [:], general: [], uploads: [], status: 200,
                      extra: made.isEmpty ? [:] : ["made": made, "madeCount": VietnameseFormat.integer(Int64(max(count, made.count)))])
    }

    func save(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try creator(context)
        let form = try await FormWithFiles.read(request, context: context, session: session, state: state)
        let pairs = form.pairs
        let values = FormValues(pairs)
        let uploadIDs = FormWithFiles.uploadIDs(pairs, form.uploads)
        let carrier = pairs.first { $0.0 == "carrier" }.map(\.1).flatMap { Carrier(rawValue: $0) }
        let (uploads, owner, now) = (state.uploads, session.user.name, state.now())
        // The uploads named must be this user's and complete.
        var kept: [UploadRecord] = []
        var general: [String] = []
        for id in uploadIDs {
            if let record = try? uploads.record(id, owner: owner, now: now), record.isComplete { kept.append(record) } else {
                general.append("Một tệp đã tải lên không còn nữa (quá hạn hoặc đã dùng cho sản phẩm khác): hãy tải lại.")
            }
        }
        // Files and a carrier at once would lose one of them: a paper product's scan is attached
        // to it after it is registered (it then counts as digitized, from that carrier).
        var errors: [String: String] = [:]
        if !kept.isEmpty && carrier != nil {
            errors["carrier"] = Lang.pick("Sản phẩm có tệp thì không chọn vật mang tin. Nếu đây là bản quét của sản phẩm giấy: đăng ký sản phẩm (không tệp), rồi thêm bản quét từ trang của nó.",
                                          "A product with files takes no carrier. If these are scans of a paper product: register it (without files), then attach the scans from its page.")
            return render(context, values: values, errors: errors, general: general, uploads: kept, status: 422)
        }
        if kept.isEmpty && carrier == nil && general.isEmpty {
            general.append("Chưa có tệp nào: hãy tải tệp lên, hoặc chọn vật mang tin nếu sản phẩm chưa được số hóa.")
        }
        if !general.isEmpty {
            return render(context, values: values, errors: [:], general: general, uploads: kept, status: 422)
        }
        let acting = state.acting(session.user)
        let visibility = ProductRoutes.visibility(session)
        let input = values.input
        let records = kept
        if values.batch == "each" && records.count > 1 {
            return try await saveEach(context, values: values, records: records, session: session)
        }
        let result = records.isEmpty
            ? await saving { () throws(KhoError) in try acting.register(input, carrier: carrier, within: visibility) }
            : await ingest(records, input, session: session)
        switch result {
        case .success(let document):
            // A product with the same title and files that the user can see: that one, said so.
            let note = document.status == "already_present" ? "existing=1" : "saved=1"
            return Response.redirect(to: "/products/\(document.product.id)?\(note)", type: .normal)
        case .failure(let error) where error.code.httpStatus < 500:
            let (errors, other) = Self.problems(error)
            return render(context, values: values, errors: errors, general: other, uploads: kept, status: error.code.httpStatus)
        case .failure(let error):
            await form.forget(state)
            throw error
        }
    }

    /// Batch work: one product per file, every one with the shared fields, each titled with
    /// the title typed and its file's name. Products saved before a refusal stay saved; the
    /// form comes back with the files not yet used.
    func saveEach(_ context: KhoContext, values: FormValues, records: [UploadRecord], session: StoredSession) async throws -> Response {
        var made: [String] = []
        for (index, record) in records.enumerated() {
            var input = values.input
            input.title = FormValues.title(values.title, fileName: FileName(bytes: FileName.lastComponent(of: record.fileName)).display)
            let one = input
            let result = await ingest([record], one, session: session)
            switch result {
            case .success(let document):
                made.append(document.product.id)
            case .failure(let error) where error.code.httpStatus < 500:
                var (errors, other) = Self.problems(error)
                if !made.isEmpty { other.insert(Lang.pick("Đã lưu \(made.count) sản phẩm đầu (\(made.joined(separator: ", "))); các tệp còn lại chưa được lưu.",
                                                                 "The first \(made.count) products were saved (\(made.joined(separator: ", "))); the other files were not."), at: 0) }
                return render(context, values: values, errors: errors, general: other, uploads: Array(records[index...]), status: error.code.httpStatus)
            case .failure(let error):
                throw error
            }
        }
        // The form again with the shared fields kept, and the products just made.
        let shown = made.prefix(Self.maxListed).joined(separator: ",")
        return Response.redirect(to: "/products/new?like=\(made[0])&made=\(shown)&count=\(made.count)", type: .normal)
    }

    /// A product made from complete uploads of the user, taken for this one save: a second
    /// press of the button (or a second tab) waits its turn and then finds them used.
    func ingest(_ records: [UploadRecord], _ input: ProductInput, session: StoredSession) async -> Result<PutDocument, KhoError> {
        let (uploads, owner, now, acting, visibility) = (state.uploads, session.user.name, state.now(), state.acting(session.user), ProductRoutes.visibility(session))
        let busy = "Các tệp này đang được lưu vào một sản phẩm (có lẽ nút Lưu được bấm hai lần). Hãy xem danh sách sản phẩm."
        return await saving { () throws(KhoError) in
            try uploads.consume(records.map(\.id), owner: owner, now: now, busyMessage: busy) { (written) throws(KhoError) in
                try acting.ingest(input, written: written, within: visibility)
            }
        }
    }

    /// `save` run on the pool, its refusal as a value.
    func saving(_ save: @escaping @Sendable () throws(KhoError) -> PutDocument) async -> Result<PutDocument, KhoError> {
        (try? await state.pool.run { () -> Result<PutDocument, KhoError> in
            do throws(KhoError) { return .success(try save()) } catch { return .failure(error) }
        }) ?? .failure(KhoError(.internal, "the product could not be saved"))
    }

    /// Products a batch's notice names one by one.
    static let maxListed = 50

    func render(_ context: KhoContext, values: FormValues, errors: [String: String], general: [String], uploads: [UploadRecord], status: Int,
                extra: [String: Any] = [:]) -> Response {
        var fields = Self.formFields(values: values, errors: errors, general: general).merging(extra) { $1 }
        fields["batchEach"] = values.batch == "each"
        fields["uploads"] = uploads.map { ["id": $0.id, "name": FileName(bytes: $0.fileName).display, "size": VietnameseFormat.bytes($0.length)] }
        fields["maxUpload"] = state.options.maxUploadBytes
        fields["maxUploadText"] = VietnameseFormat.bytes(state.options.maxUploadBytes)
        fields["title"] = "Thêm sản phẩm"
        return state.pages.render("newProduct", Pages.fields(context, fields), status: status, title: "Thêm sản phẩm")
    }

    /// What the product fields show: the values as typed, the choices, the problems.
    static func formFields(values: FormValues, errors: [String: String], general: [String]) -> [String: Any] {
        let chosenChannels = Set(values.channels)
        return [
            "values": values.dictionary, "errors": errors, "general": general, "problems": !errors.isEmpty,
            "kinds": ProductKind.allCases.map { ["value": $0.rawValue, "label": Lang.text($0.vietnamese), "selected": $0.rawValue == values.kind] },
            "channels": Channel.allCases.map { ["value": $0.rawValue, "label": Lang.text($0.vietnamese), "checked": chosenChannels.contains($0.rawValue)] },
            "accessLevels": AccessLevel.allCases.map { ["value": $0.rawValue, "label": Self.accessLabel($0), "selected": $0.rawValue == values.access] },
            "carriers": Carrier.allCases.map { ["value": $0.rawValue, "label": Lang.text($0.vietnamese), "selected": $0.rawValue == values.carrier] },
            "languageNames": LanguageRegistry.standard.known.map(\.vietnamese),
        ]
    }

    /// A refusal of the product's rules as problems beside their fields, and the rest.
    static func problems(_ error: KhoError) -> (errors: [String: String], other: [String]) {
        var errors: [String: String] = [:]
        var other: [String] = []
        for problem in error.problems.isEmpty ? [Problem(code: error.code, field: "", value: "", expected: error.message)] : error.problems {
            let field = FormValues.field(problem.field)
            let text = FieldProblems.text(problem)
            if let field { errors[field] = (errors[field].map { $0 + "; " } ?? "") + text } else { other.append(text) }
        }
        return (errors, other)
    }

    static func accessLabel(_ level: AccessLevel) -> String {
        switch level {
        case .public: Lang.text("công khai")
        case .internal: Lang.text("nội bộ")
        case .restricted: Lang.text("mật (chỉ cán bộ của đơn vị xem được)")
        }
    }
}

/// The form's values as typed, kept to fill the form again.
struct FormValues {
    var title = "", kind = "", languages = "Tiếng Việt", unit = "", produced = "", published = ""
    var channels: [String] = []
    var access = AccessLevel.public.rawValue, creator = "", campaign = "", description = "", carrier = ""
    /// With many files: `one` product holding them all, or `each` file its own product.
    var batch = "one"

    init(unit: String) { self.unit = unit }

    init(_ pairs: [(String, String)]) {
        func one(_ name: String) -> String { pairs.first { $0.0 == name }?.1 ?? "" }
        title = one("title"); kind = one("kind"); languages = one("languages"); unit = one("unit").trimmingWhitespace()
        produced = one("produced"); published = one("published"); access = one("access"); creator = one("creator")
        campaign = one("campaign"); description = one("description"); carrier = one("carrier")
        channels = pairs.filter { $0.0 == "channels" }.map(\.1)
        batch = one("batch") == "each" ? "each" : "one"
    }

    /// A batch product's title: the title typed and the file's name without its extension.
    static func title(_ typed: String, fileName: String) -> String {
        let stem = fileName.lastIndex(of: ".").map { fileName[..<$0] }.map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? fileName
        let shared = typed.trimmingWhitespace()
        return shared.isEmpty ? stem : "\(shared) (\(stem))"
    }

    /// Every field of a product, to edit it.
    init(editing m: ProductMetadata) {
        self.init(like: m)
        title = m.title
        description = m.description ?? ""
    }

    /// The shared fields of another product (not its title or description).
    init(like m: ProductMetadata) {
        kind = m.kind.rawValue
        languages = m.languages.map(\.value).joined(separator: ", ")
        unit = m.unit.value
        produced = m.produced.map { VietnameseFormat.date($0) } ?? ""
        published = m.published.map { VietnameseFormat.date($0) } ?? ""
        channels = m.channels.map(\.rawValue)
        access = m.access.rawValue
        creator = m.creator ?? ""
        campaign = m.campaign ?? ""
    }

    var dictionary: [String: String] {
        ["title": title, "languages": languages, "unit": unit, "produced": produced, "published": published, "creator": creator,
         "campaign": campaign, "description": description]
    }

    /// What the product's rules check: dates typed dd/mm/yyyy become yyyy-mm-dd (anything else
    /// goes as typed, to be refused beside its field).
    var input: ProductInput {
        func date(_ text: String) -> String? {
            let t = text.trimmingWhitespace()
            if t.isEmpty { return nil }
            if case .success(let day) = DateInput.parse(t) { return day.description }
            return t
        }
        func optional(_ text: String) -> String? { text.trimmingWhitespace().isEmpty ? nil : text }
        return ProductInput(title: title, kind: optional(kind), languages: [languages], unit: optional(unit), produced: date(produced),
                            published: date(published), channels: channels, campaign: optional(campaign), description: optional(description),
                            creator: optional(creator), access: optional(access))
    }

    /// The form field a problem of the product's rules is about.
    static func field(_ name: String) -> String? {
        let n = name.lowercased()
        for field in ["title", "kind", "unit", "produced", "published", "description"] where n.hasPrefix(field) { return field }
        if n.hasPrefix("language") { return "languages" }
        if n.hasPrefix("channel") { return "channels" }
        return nil
    }
}
