// Browsing and reading products: only those the user's scope holds (restricted ones only with
// the right), so a product outside it is "not found", never "forbidden".
import Foundation
import Hummingbird
import KhoCore
import KhoStore

struct ProductRoutes {
    let state: ServerState

    func add(to router: Router<KhoContext>) {
        router.get("/products") { request, context in try await list(request, context) }
        router.get("/products/{id}") { request, context in try await show(request, context) }
    }

    static func visibility(_ session: StoredSession) -> Visibility {
        Visibility.of(role: session.user.role, unit: session.user.unit, table: .standard)
    }

    func list(_ request: Request, _ context: KhoContext) async throws -> Response {
        guard let session = context.session else { return Response.redirect(to: "/login", type: .found) }
        guard Permissions.allows(session.user.role, .list) else { throw KhoError(.forbidden, "your role does not list products") }
        // As a browser sends a GET form: '+' for spaces, percent escapes.
        let q = Forms.parse(request.uri.query ?? "")
        func text(_ name: String) -> String? { q[name].flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 } }
        var query = BrowseQuery(limit: 50)
        var problems: [String] = []
        if let kind = text("kind") {
            if let k = ProductKind(rawValue: kind) { query.kind = k } else { problems.append(Lang.pick("Loại sản phẩm không hợp lệ: \(kind)", "Not a kind of product: \(kind)")) }
        }
        if let d = text("digitized") { query.digitized = d == "yes" ? true : d == "no" ? false : nil }
        if let a = text("access") {
            if let level = AccessLevel.parse(a) { query.access = level } else { problems.append(Lang.pick("Mức truy cập không hợp lệ: \(a)", "Not an access level: \(a)")) }
        }
        if let unit = text("unit") {
            if UnitTable.standard.units(unit).isEmpty { problems.append(Lang.pick("Không có đơn vị mã '\(unit)'.", "No unit has code '\(unit)'.")) } else { query.unit = unit }
        }
        if let language = text("language") {
            switch state.archive.registry.resolve(language) {
            case .success(let found): query.language = found.tag.value
            case .failure: problems.append(Lang.pick("Không biết ngôn ngữ '\(language)'; gõ tên (Tày, Ê Đê) hoặc mã (tyz).",
                                                      "Unknown language '\(language)'; type a name (Tày, Ê Đê) or a tag (tyz)."))
            }
        }
        if let channel = text("channel") {
            if let c = Channel(rawValue: channel) { query.channel = c } else { problems.append(Lang.pick("Kênh không hợp lệ: \(channel)", "Not a channel: \(channel)")) }
        }
        for (name, label) in [("from", "Từ ngày"), ("to", "Đến ngày")] {
            guard let value = text(name) else { continue }
            switch DateInput.parse(value) {
            case .success(let day): if name == "from" { query.from = day } else { query.to = day }
            case .failure: problems.append(Lang.pick("\(label): '\(value)' không phải ngày (dd/mm/yyyy)", "\(Lang.text(label)): '\(value)' is not a date (dd/mm/yyyy)"))
            }
        }
        query.text = text("q")
        if let after = text("after") { query.after = BrowseCursor.parse(after) }
        let visibility = Self.visibility(session)
        let asked = query
        let page = try await state.run { archive throws(KhoError) in try archive.browseSummaries(asked, as: visibility) }
        let rows = ProductListView.rows(page.summaries)
        // The choices written in Swift: four lists of options through the template engine cost
        // more than the rest of the page.
        func choices(_ pairs: [(String, String)], _ chosen: String?) -> String { HTML.options(pairs, selected: chosen) }
        var fields: [String: Any] = ["rows": rows, "empty": page.summaries.isEmpty, "q": query.text ?? "", "from": text("from") ?? "", "to": text("to") ?? "",
                                     "unit": text("unit") ?? "", "language": text("language") ?? "",
                                     "kinds": choices(ProductKind.allCases.map { ($0.rawValue, Lang.text($0.vietnamese)) }, query.kind?.rawValue),
                                     "channels": choices(Channel.allCases.map { ($0.rawValue, Lang.text($0.vietnamese)) }, query.channel?.rawValue),
                                     "digitizedChoices": choices([("yes", Lang.text("Đã số hóa")), ("no", Lang.text("Chưa số hóa"))], text("digitized")),
                                     // Restricted is a choice only for those who may see such products.
                                     "accessChoices": choices(AccessLevel.allCases.filter { $0 != .restricted || Permissions.allows(session.user.role, .readRestricted) }.map { ($0.rawValue, NewProductRoutes.accessLabel($0)) }, query.access?.rawValue),
                                     "problems": problems]
        if let next = page.next {
            var items = [("after", next.token)]
            for name in ["q", "kind", "unit", "language", "channel", "digitized", "access", "from", "to"] { if let v = text(name) { items.append((name, v)) } }
            fields["next"] = "/products?" + items.map { "\($0.0)=\(Self.percent($0.1))" }.joined(separator: "&")
        }
        return state.pages.render("products", Pages.fields(context, fields), title: "Sản phẩm")
    }

    /// The product's page; `extra` adds to its fields (a problem of the attach form), `status` its answer.
    func show(_ request: Request, _ context: KhoContext, extra: [String: Any] = [:], status: Int = 200) async throws -> Response {
        guard let session = context.session else { return Response.redirect(to: "/login", type: .found) }
        let notFound = KhoError(.unknownProduct, "Không có sản phẩm này, hoặc nó nằm ngoài phạm vi của bạn.")
        guard Permissions.allows(session.user.role, .read), let text = context.parameters.get("id"),
              case .success(let id) = ProductID.parse(text) else { throw notFound }
        let visibility = Self.visibility(session)
        let found = try await state.run { archive throws(KhoError) -> (Product, [PreservationEvent], Bool)? in
            guard let product = try archive.product(id, as: visibility) else { return nil }
            return (product, try archive.events(of: id), try archive.isWithdrawn(id))
        }
        guard let (product, events, withdrawn) = found else { throw notFound }
        let m = product.metadata
        let canAttach = Permissions.allows(session.user.role, .attach) && state.archive.covers(m, visibility)
        let query = Forms.parse(request.uri.query ?? "")
        let attached = query["attached"].flatMap { Int($0) }
        var fields: [String: Any] = [
            "canAttach": canAttach, "canEdit": Permissions.allows(session.user.role, .edit) && state.archive.covers(m, visibility),
            "edited": query["edited"] == "1", "physical": product.digitization.origin == .physical && !product.isDigitized,
            "maxUpload": state.options.maxUploadBytes, "maxUploadText": VietnameseFormat.bytes(state.options.maxUploadBytes),
            "attached": attached.map(String.init) ?? "", "hasAttached": attached != nil,
            "id": product.id.description, "title": m.title, "kind": Lang.text(m.kind.vietnamese), "unit": Self.unitName(m),
            "produced": VietnameseFormat.date(m.produced), "published": VietnameseFormat.date(m.published),
            "languages": m.languages.map { LanguageRegistry.standard.label($0) }.joined(separator: ", "),
            "channels": m.channels.map { Lang.text($0.vietnamese) }.joined(separator: ", "),
            "access": NewProductRoutes.accessLabel(m.access), "description": m.description ?? "", "digitized": product.isDigitized,
            "files": product.files.map { f in
                ["id": product.id.description, "n": f.n, "name": f.name.display, "size": VietnameseFormat.bytes(f.size), "type": f.mediaType,
                 "role": f.role.rawValue, "sha256": f.sha256, "audio": f.mediaType.hasPrefix("audio/"), "video": f.mediaType.hasPrefix("video/"),
                 "image": f.mediaType.hasPrefix("image/") && f.mediaType != "image/svg+xml"] as [String: Any]
            },
            "events": events.map { e in ["at": VietnameseFormat.instant(e.at), "type": e.type.rawValue, "agent": e.agent, "detail": e.detail ?? ""] },
            "saved": query["saved"] == "1", "existing": query["existing"] == "1",
        ]
        // Withdrawn here (the catalog says so), for the reason of this archive's own withdrawal.
        if withdrawn, let withdrawal = events.last(where: { $0.type == .withdrawal && $0.importedFrom == nil }) {
            fields["withdrawn"] = true
            fields["withdrawnAt"] = VietnameseFormat.instant(withdrawal.at)
            fields["withdrawnReason"] = withdrawal.detail ?? ""
        }
        for (key, value) in extra { fields[key] = value }
        return state.pages.render("product", Pages.fields(context, fields), status: status, title: m.title)
    }

    /// The product's unit by the table of its date (a code can name different units before
    /// and after 1 July 2025).
    static func unitName(_ m: ProductMetadata) -> String {
        let table = UnitTable.standard
        let era = table.era(ofProductUnit: m.unit.value, produced: m.produced, published: m.published)
        return table.unit(m.unit.value, era: era).map { "\($0.fullName) (\(m.unit.value))" } ?? m.unit.value
    }

    /// Everything but RFC 3986's unreserved characters percent-encoded (UTF-8).
    static func percent(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}

/// A date as a clerk types it: dd/mm/yyyy (or d/m/yyyy), or yyyy-mm-dd.
enum DateInput {
    static func parse(_ text: String) -> Result<CalendarDate, Problem> {
        let t = text.trimmingWhitespace()
        let parts = t.split(separator: "/")
        if parts.count == 3, let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]), parts[2].count == 4,
           let date = CalendarDate(year: y, month: m, day: d) {
            return .success(date)
        }
        return CalendarDate.parse(t)
    }
}

/// The rows of the product list, written in Swift (HTML.swift says why).
enum ProductListView {
    static func rows(_ products: [ProductSummary]) -> String {
        var out = ""
        out.reserveCapacity(products.count * 220)
        for p in products {
            let id = p.id.description
            out += "<li><a href=\"/products/\(id)\">\(HTML.escape(p.title))</a><span class=\"small\">"
            out += "\(HTML.escape(Lang.text(p.kind.vietnamese))) · \(VietnameseFormat.date(p.referenceDate)) · \(HTML.escape(p.unit))"
            if !p.digitized { out += " " + Lang.text("· chưa số hóa") }
            if p.restricted { out += " " + Lang.text("· mật") }
            out += "</span></li>\n"
        }
        return out
    }
}
