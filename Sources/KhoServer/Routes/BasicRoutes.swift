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
        router.get("/static/kho.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: Templates.css)))
        }
    }
}
