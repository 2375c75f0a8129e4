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
    /// The same templates with their texts in English.
    let english: MustacheLibrary

    init() throws {
        // Values are escaped scalar by scalar: the library's own escaping looks characters up
        // whole, so a quote followed by a combining mark would pass unescaped.
        MustacheContentTypes.register(ScalarHTML(), named: ScalarHTML.name)
        let pragma = "{{% CONTENT_TYPE: \(ScalarHTML.name)}}"
        var library = MustacheLibrary()
        var english = MustacheLibrary()
        for (name, text) in Templates.all {
            try library.register(pragma + text, named: name)
            let translated = Translation.apply(text, English.words, mustache: true)
                .replacingOccurrences(of: "/static/kho-upload.js", with: "/static/kho-upload.en.js")
            try english.register(pragma + translated, named: name)
        }
        self.library = library
        self.english = english
    }

    /// The page `name` with `fields`, in the layout, as a response with `status`, in the
    /// request's language.
    func render(_ name: String, _ fields: [String: Any], status: Int = 200, title: String? = nil) -> Response {
        let lang = Lang.current
        let templates = lang == .en ? english : library
        var fields = fields
        if lang == .en {
            // The messages the routes put in (problems, notices) in English where they have it.
            for key in Self.messageKeys {
                if let text = fields[key] as? String { fields[key] = Lang.text(text) }
                if let list = fields[key] as? [String] { fields[key] = list.map(Lang.text) }
            }
        }
        let body = templates.render(fields, withTemplate: name) ?? ""
        var page = fields
        page["body"] = body
        if page["lang"] == nil {
            page["lang"] = lang.rawValue
            page["switchLang"] = ["to": lang.other.rawValue, "name": lang.other.name, "back": "/"]
        }
        let heading = title ?? (fields["title"] as? String) ?? "Kho"
        page["title"] = lang == .en ? English.words[heading] ?? heading : heading
        let html = templates.render(page, withTemplate: "layout") ?? body
        return Response(status: .init(code: status), headers: [.contentType: "text/html; charset=utf-8", .vary: "Cookie"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Fields that hold the routes' own messages (never user data).
    static let messageKeys = ["general", "problems", "attachProblems", "problem", "message"]

    /// `fields` and, when someone is logged in, what the layout says of them; the language
    /// switch of every page.
    static func fields(_ context: KhoContext, _ fields: [String: Any]) -> [String: Any] {
        var out = fields
        if let session = context.session { out["user"] = userFields(session) }
        out["lang"] = context.lang.rawValue
        out["switchLang"] = ["to": context.lang.other.rawValue, "name": context.lang.other.name, "back": Self.queryValue(context.here)]
        return out
    }

    /// `text` as one value of a URL's query.
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .init(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-._~")) ?? "/"
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
        case .admin: Lang.text("quản trị")
        case .staff: Lang.text("cán bộ nhập liệu")
        case .auditor: Lang.text("kiểm tra, giám sát")
        case .exporter: Lang.text("xuất dữ liệu")
        }
    }

    /// "Tỉnh Quảng Ngãi (51)", or the whole archive.
    static func unitName(_ code: String?) -> String {
        guard let code else { return Lang.text("toàn bộ kho lưu trữ") }
        return UnitTable.standard.unit(code, era: .from2025).map { "\($0.fullName) (\(code))" } ?? code
    }
}

/// HTML escaping of every value a template shows: & < > " ' replaced wherever they occur,
/// combining marks after them or not (`HTML.escape`, which reads Unicode scalars).
struct ScalarHTML: MustacheContentType {
    static let name = "KHO_HTML"
    func escapeText(_ text: String) -> String { HTML.escape(text) }
}
