// What a request carries through the middleware to its route: the logged-in session, if any,
// and where the request came from (for the login slowdown).
import Hummingbird
import KhoStore
import NIOCore

public struct KhoContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's address (no port), or "unknown": the connection's, or behind a trusted
    /// proxy the one it forwards (set by `SessionMiddleware`).
    public internal(set) var peer: String
    /// Set by `SessionMiddleware` when the request has a live session cookie.
    public var session: StoredSession?
    /// The session's token (the cookie's value), for logout and touching.
    public var sessionToken: String?
    /// The user came with an API token (Authorization: Bearer), not a browser's cookie.
    public var viaToken = false
    /// The language pages are written in (the `kho_lang` cookie; Vietnamese by default).
    var lang = Lang.vi
    /// This page's own address, for the language switch to come back to.
    var here = "/"

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Forms and API bodies are small; uploads go through their own streaming routes.
    public var maxUploadSize: Int { 64 * 1024 }
}
