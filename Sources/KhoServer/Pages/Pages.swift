// Server-rendered pages: Mustache templates compiled once at start (from Templates.swift, so
// the binary needs no files beside it), each page's body put into one layout. Values are
// escaped by Mustache; only the rendered body is put in unescaped.
import Foundation
import Hummingbird
import KhoCore
import KhoStore
import Mustache

struct Pages: Sendable {
    let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in Templates.all { try library.register(text, named: name) }
        self.library = library
    }

    /// The page `name` with `fields`, in the layout, as a response with `status`.
    func render(_ name: String, _ fields: [String: Any], status: Int = 200, title: String? = nil) -> Response {
        let body = library.render(fields, withTemplate: name) ?? ""
        var page = fields
        page["body"] = body
        page["title"] = title ?? (fields["title"] as? String) ?? "Kho"
        let html = library.render(page, withTemplate: "layout") ?? body
        return Response(status: .init(code: status), headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `fields` and, when someone is logged in, what the layout says of them.
    static func fields(_ context: KhoContext, _ fields: [String: Any]) -> [String: Any] {
        var out = fields
        if let session = context.session { out["user"] = userFields(session) }
        return out
    }

    /// What every page says of the logged-in user.
    static func userFields(_ session: StoredSession) -> [String: Any] {
        ["name": session.user.name, "role": roleName(session.user.role), "unit": unitName(session.user.unit), "csrf": session.csrf,
         "canCreate": Permissions.allows(session.user.role, .create), "canReport": Permissions.allows(session.user.role, .report),
         "canExport": Permissions.allows(session.user.role, .export),
         "canAdminister": Permissions.allows(session.user.role, .administer)]
    }

    static func roleName(_ role: UserRole) -> String {
        switch role {
        case .admin: "quản trị"
        case .staff: "cán bộ nhập liệu"
        case .auditor: "kiểm tra, giám sát"
        case .exporter: "xuất dữ liệu"
        }
    }

    /// "Tỉnh Quảng Ngãi (51)", or the whole archive.
    static func unitName(_ code: String?) -> String {
        guard let code else { return "toàn bộ kho lưu trữ" }
        return UnitTable.standard.unit(code, era: .from2025).map { "\($0.fullName) (\(code))" } ?? code
    }
}
