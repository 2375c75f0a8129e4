// The rest of /api/v1: products created (from uploads, or registered on their carrier) and
// edited (fields left out keep their values; the version read, as its ETag, in If-Match), the
// report of a unit and period (what `kho report --format json` gives), and the languages.
// The same session operations as the pages: the same scope checks, the same events.
import Foundation
import HTTPTypes
import Hummingbird
import KhoCore
import KhoOperations
import KhoStore

struct ApiWriteRoutes {
    let state: ServerState
    let api: ApiRoutes

    func add(to router: Router<KhoContext>) {
        router.post("/api/v1/products") { request, context in try await create(request, context) }
        router.patch("/api/v1/products/{id}") { request, context in try await edit(request, context) }
        router.get("/api/v1/reports") { request, context in try await report(request, context) }
        router.get("/api/v1/languages") { request, context in try await languages(request, context) }
    }

    /// A product's fields as the API takes them: dates as YYYY-MM-DD, lists as arrays.
    struct ProductBody: Decodable {
        var title: String?, kind: String?, languages: [String]?, unit: String?, produced: String?, published: String?
        var channels: [String]?, topics: [String]?, campaign: String?, description: String?, creator: String?, access: String?
        /// Creating: the uploads whose files the product gets, or the carrier of a physical product.
        var uploads: [String]?
        var carrier: String?
        /// Editing: the version read (or If-Match).
        var version: String?

        /// The fields a product's body may name: creating, and editing (no files there).
        static let descriptive: Set<String> = ["title", "kind", "languages", "unit", "produced", "published", "channels", "topics", "campaign",
                                               "description", "creator", "access"]
        static let creating = descriptive.union(["uploads", "carrier"])
        static let editing = descriptive.union(["version"])

        var input: ProductInput {
            ProductInput(title: title, kind: kind, languages: languages ?? [], unit: unit, produced: produced, published: published,
                         channels: channels ?? [], topics: topics ?? [], campaign: campaign, description: description, creator: creator, access: access)
        }
    }

    func create(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try api.reader(context, .create)
        let body = try await Forms.jsonObject(ProductBody.self, request, fields: ProductBody.creating).value
        let ids = body.uploads ?? []
        for (i, id) in ids.enumerated() where !UploadRecord.isValidID(id) {
            throw KhoError(.usage, "uploads[\(i)]: '\(id.prefix(40))' is not an upload's ID (32 hex digits, the last part of its Location)")
        }
        guard Set(ids).count == ids.count else { throw KhoError(.usage, "uploads: an upload is given twice") }
        var carrier: Carrier?
        if let text = body.carrier {
            guard let c = Carrier(rawValue: text) else {
                throw KhoError(.unknownCarrier, "carrier: '\(text)' is not one of \(Carrier.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            carrier = c
        }
        guard ids.isEmpty || carrier == nil else {
            throw KhoError(.usage, "give uploads or a carrier, not both: a paper product is registered with its carrier, then its scans are attached (it then counts as digitized)")
        }
        guard !ids.isEmpty || carrier != nil else {
            throw KhoError(.usage, "give uploads (the product's files) or, for a product not yet digitized, its carrier")
        }
        let (uploads, owner, now, visibility, acting, input, onCarrier) = (state.uploads, session.user.name, state.now(), ProductRoutes.visibility(session),
                                                                           state.acting(session.user), body.input, carrier)
        let document = try await state.pool.run { () throws(KhoError) -> PutDocument in
            if ids.isEmpty { return try acting.register(input, carrier: onCarrier, within: visibility) }
            return try uploads.consume(ids, owner: owner, now: now, busyMessage: "these uploads are being saved by another request") {
                (written) throws(KhoError) in try acting.ingest(input, written: written, within: visibility)
            }
        }
        var response = ApiRoutes.json(document)
        // A product with the same title and files that the caller can see: that one, 200.
        response.status = document.stored ? .created : .ok
        response.headers[.location] = "/api/v1/products/\(document.product.id)"
        return response
    }

    func edit(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try api.reader(context, .edit)
        let notFound = KhoError(.unknownProduct, "no such product in your scope")
        guard let text = context.parameters.get("id"), case .success(let id) = ProductID.parse(text) else { throw notFound }
        let (body, nulls) = try await Forms.jsonObject(ProductBody.self, request, fields: ProductBody.editing)
        // A field given as null is emptied, where a product may be without it.
        var clearing: [ClearableField] = []
        for name in nulls.sorted() where name != "version" {
            guard let field = ClearableField(rawValue: name) else {
                throw KhoError(.malformedJson, "\(name) cannot be emptied (null); the fields that can: \(ClearableField.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            clearing.append(field)
        }
        // If-Match: the ETag read (strong; a W/ prefix is not ours), or "*" for the product as it is.
        let ifMatch = request.headers[.ifMatch].map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        let version: String?
        if ifMatch == "*" {
            version = nil
        } else if let tag = ifMatch ?? body.version.map({ "\"\($0)\"" }), tag.count > 2, tag.hasPrefix("\""), tag.hasSuffix("\"") {
            version = String(tag.dropFirst().dropLast())
        } else {
            throw KhoError(.usage, "send the version you read (the ETag of GET /api/v1/products/\(id)) in If-Match, or as version")
        }
        let (visibility, acting, given, cleared) = (ProductRoutes.visibility(session), state.acting(session.user), body.input, clearing)
        let (document, written) = try await state.pool.run { () throws(KhoError) in
            try acting.change(id, to: given, version: version, within: visibility, overlay: true, clearing: cleared)
        }
        var response = ApiRoutes.json(document)
        response.headers[.eTag] = "\"\(written)\""
        return response
    }

    func report(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try api.reader(context, .report)
        let q = Forms.parse(request.uri.query ?? "")
        var operation = MakeReport(unitCode: session.user.unit, trend: 6, gaps: .count(100), showRestricted: Permissions.allows(session.user.role, .readRestricted),
                                   format: .json)
        if let unit = q["unit"]?.trimmingWhitespace(), !unit.isEmpty {
            guard ReportRoutes.inScope(unit, userUnit: session.user.unit) else { throw KhoError(.unknownUnit, "unit: no unit '\(unit.prefix(40))' in your scope") }
            operation.unitCode = unit
        }
        if let text = q["period"]?.trimmingWhitespace(), !text.isEmpty {
            switch Period.parse(text, campaigns: state.archive.config.campaigns) {
            case .success(let p): operation.period = p
            case .failure(let problem): throw KhoError(.invalidPeriod, "period: '\(text.prefix(40))' is not a period: expected \(problem.expected)")
            }
        }
        if let by = q["by"], !by.isEmpty {
            guard let kind = BreakdownKind(rawValue: by) else {
                throw KhoError(.invalidChoice, "by: '\(by.prefix(40))' is not one of \(BreakdownKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            operation.breakdown = kind
        }
        let (op, acting) = (operation, state.acting(session.user))
        let document = try await state.pool.run { () throws(KhoError) in try op.run(in: acting) }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: document.text ?? "{}")))
    }

    func languages(_ request: Request, _ context: KhoContext) async throws -> Response {
        _ = try api.reader(context, .list)
        let q = Forms.parse(request.uri.query ?? "")
        let search = q["q"].flatMap { $0.trimmingWhitespace().isEmpty ? nil : String($0.prefix(100)) }
        let base = state.base
        let document = try await state.pool.run { () throws(KhoError) in try ListLanguages(search: search).run(in: base) }
        return ApiRoutes.json(document)
    }
}
