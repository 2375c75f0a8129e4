// /oai: the OAI-PMH 2.0 provider for harvesters (GET with a query, POST with a form body).
// Anyone harvests public products; an exporter's (or admin's) API token also gets the
// internal products of its scope. Cookies are not read here: a harvester is a machine.
import Foundation
import HTTPTypes
import Hummingbird
import KhoCore
import KhoOperations
import KhoPlatform
import KhoStore

struct OAIRoutes {
    let state: ServerState
    /// What resumption tokens are signed with: made (once, kept in the catalog) when the
    /// server starts, so no harvest request writes.
    let tokenKey: [UInt8]?

    init(state: ServerState) {
        self.state = state
        tokenKey = state.archive.isHarvestable ? try? state.archive.oaiTokenKey(fresh: Secrets.key()) : nil
    }

    func add(to router: Router<KhoContext>) {
        router.get(RouterPath(stringLiteral: KhoRecord.schemaPath)) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/xml; charset=UTF-8", .cacheControl: "public, max-age=86400"],
                     body: .init(byteBuffer: ByteBuffer(string: KhoRecord.schema)))
        }
        router.get("/oai") { request, context in
            try await respond(Forms.pairs(request.uri.query ?? ""), context)
        }
        router.post("/oai") { request, context in
            let type = request.headers[.contentType]?.lowercased() ?? ""
            guard type.hasPrefix("application/x-www-form-urlencoded") else {
                throw KhoError(.unsupportedMediaType, "an OAI-PMH POST must be application/x-www-form-urlencoded")
            }
            return try await respond(Forms.pairs(try await Forms.body(request, limit: 16 * 1024)), context)
        }
    }

    /// The repository as the archive's config and the server's base URL describe it.
    static func repository(_ settings: OAISettings, baseURL: String) -> OAIRepository {
        let host = URLComponents(string: baseURL)?.host ?? ""
        let identifier = settings.repositoryIdentifier ?? (OAISettings.isDomainName(host) ? host : "kho.localdomain")
        let emails = settings.adminEmails.isEmpty ? ["admin@\(identifier)"] : settings.adminEmails
        return OAIRepository(name: settings.repositoryName ?? "Kho: kho lưu trữ sản phẩm thông tin về quyền con người (\(identifier))",
                             baseURL: baseURL + "/oai", identifier: identifier, adminEmails: emails)
    }

    func respond(_ pairs: [(String, String)], _ context: KhoContext) async throws -> Response {
        // A catalog of an older Kho on read-only storage has no harvesting state.
        guard state.archive.isHarvestable, let key = tokenKey else {
            throw KhoError(.archiveTooNew, "OAI-PMH needs the catalog opened once by this Kho where it can be written")
        }
        var viewer = OAIViewer.anyone
        if context.viaToken, let session = context.session, [.exporter, .admin].contains(session.user.role) {
            viewer = .exporter(ProductRoutes.visibility(session).selection)
        }
        let base = state.options.baseURL
        let now = Int64((state.now()).rounded(.down))
        let arguments = pairs.map { (name: $0.0, value: $0.1) }
        let harvester = viewer
        let counts = state.oaiCounts
        let xml = try await state.run { archive throws(KhoError) in
            let provider = OAIProvider(archive: archive, repository: Self.repository(archive.config.oai, baseURL: base), viewer: harvester,
                                       pageSize: archive.config.oai.pageSize, now: now, siteURL: base, tokenKey: key, counts: counts)
            return try provider.respond(arguments)
        }
        return Response(status: .ok, headers: [.contentType: "text/xml; charset=UTF-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: xml)))
    }
}
