// Headers every response carries: no script but Kho's own files, no framing, no sniffing, no
// referrer to other sites, and pages that depend on the session not kept in shared caches.
import HTTPTypes
import Hummingbird

struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self'; "
            + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        // A route that serves stored files sets its own, stricter policy (a sandbox).
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = Self.policy }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        // tus clients read the protocol's version on every answer, refusals of the session
        // layer (401, 403 before the route) included.
        if request.uri.path.hasPrefix("/api/v1/uploads") { response.headers[HTTPField.Name("Tus-Resumable")!] = "1.0.0" }
        return response
    }
}
