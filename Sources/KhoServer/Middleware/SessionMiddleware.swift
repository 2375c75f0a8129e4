// Who is asking: the session cookie looked up in the catalog (expired sessions end here), and,
// for every request that changes something, a check that it comes from Kho's own pages: the
// browser's Sec-Fetch-Site and Origin, and the session's CSRF token in the form or header.
import HTTPTypes
import Hummingbird
import KhoCore
import KhoStore

struct SessionMiddleware: RouterMiddleware {
    typealias Context = KhoContext
    static let cookie = "kho_session"
    let state: ServerState

    func handle(_ request: Request, context: KhoContext, next: (Request, KhoContext) async throws -> Response) async throws -> Response {
        var context = context
        if !state.options.trustedProxies.isEmpty {
            context.peer = ClientAddress.resolve(peer: context.peer, forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!],
                                                 trusted: state.options.trustedProxies)
        }
        // A machine with an API token: no cookie is read and no CSRF token asked (a browser never
        // adds this header to another site's request on its own, and Kho allows no cross-origin calls).
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer", Self.looksLikeToken(String(parts[1])) else {
                throw KhoError(.notAuthenticated, "Authorization must be 'Bearer TOKEN' with a token from: kho users token NAME")
            }
            // A token is for the API: the pages (the admins' above all) take only a browser's
            // session, so a leaked token cannot make more tokens or reset passwords.
            guard request.uri.path.hasPrefix("/api/") || request.uri.path == "/oai" else {
                throw KhoError(.forbidden, "API tokens are taken under /api/ and /oai only; log in to use the pages")
            }
            let token = String(parts[1])
            guard let user = try await state.run({ archive throws(KhoError) in try archive.tokenUser(token) }) else {
                throw KhoError(.notAuthenticated, "this API token is unknown, expired or revoked")
            }
            let now = state.clock.now()
            context.session = StoredSession(user: user, csrf: "", createdAt: now, lastSeenAt: now)
            context.viaToken = true
            return try await next(request, context)
        }
        // Harvesters: no cookie is read, and a read-only POST needs no CSRF token.
        if request.uri.path == "/oai" { return try await next(request, context) }
        var request = request
        var clearCookie = false
        if let token = request.cookies[Self.cookie]?.value, Self.looksLikeToken(token) {
            let state = self.state
            let now = state.now()
            let found = try await state.run { archive throws(KhoError) in try archive.session(token: token) }
            if let found, let started = found.createdAt.epochSeconds, let seen = found.lastSeenAt.epochSeconds,
               now - started < state.options.sessionAbsoluteSeconds, now - seen < state.options.sessionIdleSeconds {
                context.session = found
                context.sessionToken = token
                // Best effort: a catalog busy with an import must not fail a page that only reads.
                if now - seen > 60 { _ = try? await state.run { archive throws(KhoError) in try archive.touchSession(token: token) } }
            } else {
                if found != nil { try await state.run { archive throws(KhoError) in try archive.endSession(token: token) } }
                clearCookie = true
            }
        }
        if ![.get, .head, .options].contains(request.method) {
            try checkOrigin(request)
            if let session = context.session { try await checkCSRF(&request, context: context, expected: session.csrf) }
        }
        var response = try await next(request, context)
        if clearCookie, context.session == nil, !response.headers.contains(.setCookie) {
            response.setCookie(Self.expired(secure: state.options.secureCookies))
        }
        return response
    }

    /// A change must come from Kho's own origin: browsers say so in Sec-Fetch-Site and Origin.
    /// Clients that send neither (scripts with an API token) are not browsers riding a cookie.
    func checkOrigin(_ request: Request) throws {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased(), site != "same-origin", site != "none" {
            throw KhoError(.forbidden, "this request came from another site (Sec-Fetch-Site: \(site)); nothing was changed")
        }
        // The base URL's origin, or the address the browser itself asked for (a clerk who typed
        // localhost where the base URL says 127.0.0.1 is still on Kho's own page).
        if let origin = request.headers[HTTPField.Name("Origin")!]?.lowercased(), origin != state.options.origin,
           origin.split(separator: "/").last.map(String.init) != request.head.authority?.lowercased() {
            throw KhoError(.forbidden, "this request came from another origin (\(origin)); nothing was changed")
        }
    }

    /// The session's CSRF token, from the X-CSRF-Token header or the form's `csrf` field.
    func checkCSRF(_ request: inout Request, context: KhoContext, expected: String) async throws {
        var given = request.headers[HTTPField.Name("X-CSRF-Token")!]
        if given == nil, request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            // An import's form lists every file's upload (up to ImportRoutes.maxFiles of them).
            let limit = request.uri.path == "/import" ? ImportRoutes.maxFormBytes : context.maxUploadSize
            let buffer: ByteBuffer
            do { buffer = try await request.collectBody(upTo: limit) } catch {
                throw KhoError(.payloadTooLarge, "the form is larger than \(limit / 1024) KB")
            }
            given = Forms.parse(String(buffer: buffer))["csrf"]
        }
        // A form that carries files checks its token as its first part, before any file is stored.
        if given == nil, FormWithFiles.isMultipart(request), FormWithFiles.takesFiles(request.uri.path) { return }
        guard let given, Tokens.equal(given, expected) else {
            throw KhoError(.forbidden, "the form's security token is missing or out of date: reload the page and send it again")
        }
    }

    static func looksLikeToken(_ text: String) -> Bool {
        text.utf8.count == 43 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
    }

    static func cookie(_ token: String, secure: Bool) -> Cookie {
        Cookie(name: cookie, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func expired(secure: Bool) -> Cookie {
        Cookie(name: cookie, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
