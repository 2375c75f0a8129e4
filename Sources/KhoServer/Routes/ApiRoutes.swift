// The JSON API under /api/v1 (so far: products, list and read; uploads are in UploadRoutes), for
// machines with an API token and for the browser's own session. Errors answer
// {"error": {"code", "message"}} (ErrorPages); a product outside the scope is 404. The OpenAPI
// document at /api/v1/openapi.json describes exactly these routes.
import Foundation
import Hummingbird
import KhoCore
import KhoOperations
import KhoStore

struct ApiRoutes {
    let state: ServerState

    func add(to router: Router<KhoContext>) {
        let document = OpenAPIDocument.text(maxUploadBytes: state.options.maxUploadBytes, campaigns: state.archive.config.campaigns)
        router.get("/api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        router.get("/api/v1/products") { request, context in try await list(request, context) }
        router.get("/api/v1/products/{id}") { _, context in try await read(context) }
        router.get("/api/v1/units") { request, context in try await units(request, context) }
        ApiWriteRoutes(state: state, api: self).add(to: router)
    }

    struct UnitList: Encodable { var units: [UnitDocument] }

    /// Units found by name, with or without diacritics, or by code; `scope=mine`: only those of
    /// the caller's scope (the units a clerk may put products under), in either table.
    func units(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try reader(context, .list)
        let q = Forms.parse(request.uri.query ?? "")
        guard let text = q["q"]?.trimmingWhitespace(), !text.isEmpty, text.count <= 100 else {
            throw KhoError(.emptyQuery, "q: a unit's name (with or without diacritics) or code, 1 to 100 characters")
        }
        let scope = q["scope"] ?? "all"
        guard scope == "all" || scope == "mine" else { throw KhoError(.invalidChoice, "scope: '\(scope)' is not one of all, mine") }
        let table = UnitTable.standard
        var found = table.search(text, limit: 400)
        if scope == "mine", let unit = session.user.unit {
            let selection = Visibility.of(role: .auditor, unit: unit, table: table).selection
            found = found.filter { selection.holds($0.code, era: $0.era, table: table) }
        }
        return Self.json(UnitList(units: found.prefix(20).map { UnitDocument($0, table: table) }))
    }

    static func json(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func reader(_ context: KhoContext, _ action: UserAction) throws -> StoredSession {
        guard let session = context.session else { throw KhoError(.notAuthenticated, "send 'Authorization: Bearer TOKEN' (kho users token NAME) or log in") }
        guard Permissions.allows(session.user.role, action) else { throw KhoError(.forbidden, "your role may not do this") }
        return session
    }

    func list(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try reader(context, .list)
        let q = Forms.parse(request.uri.query ?? "")
        var query = BrowseQuery(limit: 50)
        if let limit = q["limit"] {
            guard let n = Int(limit), (1...BrowseQuery.maxLimit).contains(n) else {
                throw KhoError(.invalidChoice, "limit: '\(limit)' is not a number from 1 to \(BrowseQuery.maxLimit)")
            }
            query.limit = n
        }
        if let kind = q["kind"] {
            guard let k = ProductKind(rawValue: kind) else { throw KhoError(.unknownKind, "kind: '\(kind)' is not one of \(ProductKind.allCases.map(\.rawValue).joined(separator: ", "))") }
            query.kind = k
        }
        if let text = q["q"], !text.trimmingWhitespace().isEmpty { query.text = text }
        if let unit = q["unit"], !unit.isEmpty {
            guard !UnitTable.standard.units(unit).isEmpty else { throw KhoError(.unknownUnit, "unit: no unit has code '\(unit.prefix(40))'") }
            query.unit = unit
        }
        if let language = q["language"], !language.isEmpty {
            guard case .success(let found) = state.archive.registry.resolve(language) else {
                // Like a unit that does not exist: nothing to find (404), not a malformed request.
                throw KhoError(.unknownLanguage, "language: '\(language.prefix(40))' is not a language Kho knows (a tag such as tyz, or a name such as Tày)")
            }
            query.language = found.tag.value
        }
        if let channel = q["channel"], !channel.isEmpty {
            guard let c = Channel(rawValue: channel) else {
                throw KhoError(.unknownChannel, "channel: '\(channel.prefix(40))' is not one of \(Channel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.channel = c
        }
        if let after = q["after"] {
            // A position in the listing: a date-shaped text and a row number (only compared, so a
            // date that is not a real day is still a position).
            guard let match = after.wholeMatch(of: /(\d{4}-\d{2}-\d{2})?\.([1-9]\d{0,17})/), let pk = Int64(match.2) else {
                throw KhoError(.usage, "after: '\(after)' is not a cursor this API gave")
            }
            query.after = BrowseCursor(referenceDate: match.1.map(String.init) ?? "", pk: pk)
        }
        let (asked, visibility) = (query, ProductRoutes.visibility(session))
        let page = try await state.run { archive throws(KhoError) in try archive.browse(asked, as: visibility) }
        let registry = state.archive.registry
        let body = ApiJSON.productPage(page.products.map { ProductDocument($0, registry: registry) }, next: page.next?.token)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func read(_ context: KhoContext) async throws -> Response {
        let session = try reader(context, .read)
        let notFound = KhoError(.unknownProduct, "no such product in your scope")
        guard let text = context.parameters.get("id"), case .success(let id) = ProductID.parse(text) else { throw notFound }
        let visibility = ProductRoutes.visibility(session)
        guard let found = try await state.run({ archive throws(KhoError) -> (Product, [PreservationEvent])? in
            guard let product = try archive.product(id, as: visibility) else { return nil }
            return (product, try archive.events(of: id))
        }) else { throw notFound }
        var response = Self.json(ProductDocument(found.0, events: found.1, registry: state.archive.registry))
        // The version to send back in If-Match when editing.
        response.headers[.eTag] = "\"\(Archive.version(of: found.0))\""
        return response
    }
}
