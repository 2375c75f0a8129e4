// The routes every server has: the home page, the health check, the style sheet.
import Foundation
import Hummingbird
import KhoCore
import KhoStore

struct BasicRoutes {
    let state: ServerState

    func add(to router: Router<KhoContext>) {
        router.get("/") { _, context in
            guard context.session != nil else { return Response.redirect(to: "/login", type: .found) }
            return state.pages.render("home", Pages.fields(context, [:]), title: "Trang chính")
        }
        // Up when the catalog answers: for a load balancer or a cron, no login needed, nothing about the archive said.
        router.get("/healthz") { _, _ in
            _ = try await state.run { archive throws(KhoError) in try archive.users().count }
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        // The language switch: a cookie for a year, then back to the page it was pressed on
        // (only a path of this site: never another site's address).
        router.get("/language") { request, context in
            let query = Forms.parse(request.uri.query ?? "")
            let lang: Lang = query["to"] == "en" ? .en : .vi
            let back = Self.localPath(query["back"] ?? "/")
            var response = Response.redirect(to: back, type: .found)
            response.setCookie(Cookie(name: Lang.cookie, value: lang.rawValue, maxAge: 365 * 86_400, path: "/",
                                      secure: state.options.secureCookies, httpOnly: true, sameSite: .lax))
            return response
        }
        router.get("/static/kho.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: Templates.css)))
        }
    }

    /// `path` when it is a path of this site ("/products?kind=poster"), else the home page. Read
    /// as bytes: printable ASCII only (a query's Vietnamese comes percent-encoded), starting with
    /// one "/" not followed by "/" or "\\", so "//evil.example", "/\\evil", "https://…", control
    /// characters and "/" followed by an invisible combining mark never leave the site.
    static func localPath(_ path: String) -> String {
        let bytes = Array(path.utf8)
        guard bytes.count <= 2048, bytes.first == 0x2F, bytes.count == 1 || (bytes[1] != 0x2F && bytes[1] != 0x5C),
              bytes.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E && $0 != 0x5C }) else { return "/" }
        return path
    }
}
