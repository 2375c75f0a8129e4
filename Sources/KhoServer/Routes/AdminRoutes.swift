// The admins' page for users (what `kho users` does): the list, adding a user, a new password,
// disabling and enabling. A password made here is shown once on the page that follows the
// change and never again. Every change is an event naming the admin.
import Foundation
import Hummingbird
import KhoCore
import KhoOperations
import KhoStore

struct AdminRoutes {
    let state: ServerState

    func add(to router: Router<KhoContext>) {
        router.get("/admin/users") { _, context in try await page(context, shown: nil, problems: [], status: 200) }
        router.post("/admin/users") { request, context in try await change(request, context) }
        router.post("/admin/tokens") { request, context in try await changeToken(request, context) }
    }

    func admin(_ context: KhoContext) throws -> StoredSession {
        guard let session = context.session else { throw KhoError(.notAuthenticated, "Hãy đăng nhập trước.") }
        guard Permissions.allows(session.user.role, .administer) else { throw KhoError(.forbidden, "Chỉ quản trị viên dùng trang này.") }
        return session
    }

    func page(_ context: KhoContext, shown: (name: String, password: String)?, problems: [String], status: Int,
              shownToken: (user: String, token: String)? = nil) async throws -> Response {
        guard context.session != nil else { return Response.redirect(to: "/login", type: .found) }
        _ = try admin(context)
        let base = state.base
        let (users, tokens) = try await state.pool.run { () throws(KhoError) in (try ListUsers().run(in: base), try ListTokens().run(in: base)) }
        let now = state.clock.now()
        var fields: [String: Any] = [
            "users": users.map { u in
                ["name": u.name, "role": Pages.roleName(u.role), "unit": Pages.unitName(u.unit), "disabled": u.disabled] as [String: Any]
            },
            "roles": UserRole.allCases.map { ["value": $0.rawValue, "label": Pages.roleName($0)] },
            "problems": problems,
            "userNames": users.filter { !$0.disabled }.map(\.name),
            "tokens": tokens.map { t in
                let live = t.revokedAt == nil && t.expiresAt > now
                // "owner", not "user": inside a row, {{user.csrf}} must still find the page's user.
                return ["id": t.id, "owner": t.user, "label": t.label.isEmpty ? "—" : t.label, "created": VietnameseFormat.instant(t.createdAt),
                        "expires": VietnameseFormat.instant(t.expiresAt), "live": live,
                        "state": Lang.text(t.revokedAt != nil ? "đã thu hồi" : live ? "đang dùng" : "hết hạn")] as [String: Any]
            },
            "hasTokens": !tokens.isEmpty,
        ]
        if let shown { fields["shown"] = ["name": shown.name, "password": shown.password] }
        if let shownToken { fields["shownToken"] = ["owner": shownToken.user, "token": shownToken.token] }
        return state.pages.render("adminUsers", Pages.fields(context, fields), status: status, title: "Người dùng")
    }

    func change(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try admin(context)
        let form = try await Forms.read(request, context: context)
        let name = (form["name"] ?? "").trimmingWhitespace()
        let acting = state.acting(session.user)
        let hashing = state.options.hashing
        let password = Tokens.password()
        let action = form["action"] ?? ""
        let result = (try? await state.pool.run { () -> Result<String?, KhoError> in
            do throws(KhoError) {
                switch action {
                case "add":
                    let unit = form["unit"].flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
                    let user = try AddUser(name: name, role: form["role"] ?? "", unit: unit, password: password, hashing: hashing).run(in: acting)
                    return .success(user.name)
                case "password":
                    let user = try SetPassword(name: name, password: password, hashing: hashing).run(in: acting)
                    return .success(user.name)
                case "disable", "enable":
                    guard name != session.user.name else { throw KhoError(.usage, "Không tự khóa tài khoản của chính mình được.") }
                    _ = try SetUserDisabled(name: name, disabled: action == "disable").run(in: acting)
                    return .success(nil)
                default:
                    throw KhoError(.usage, "Không rõ việc cần làm.")
                }
            } catch {
                return .failure(error)
            }
        }) ?? .failure(KhoError(.internal, "the change could not be made"))
        switch result {
        case .success(let changed?):
            return try await page(context, shown: (changed, password), problems: [], status: 200)
        case .success(nil):
            return Response.redirect(to: "/admin/users", type: .normal)
        case .failure(let error) where error.code.httpStatus < 500:
            // An unknown unit or user named in the form is a problem with the form, not a missing page.
            let status = error.code.httpStatus == 404 ? 422 : error.code.httpStatus
            return try await page(context, shown: nil, problems: [error.message], status: status)
        case .failure(let error):
            throw error
        }
    }

    /// API tokens for machines (an exporter's script): made here, shown once, revoked here; as
    /// `kho users token` and `revoke-token` do.
    func changeToken(_ request: Request, _ context: KhoContext) async throws -> Response {
        let session = try admin(context)
        let form = try await Forms.read(request, context: context)
        let acting = state.acting(session.user)
        let token = Tokens.make()
        let action = form["action"] ?? ""
        let user = (form["user"] ?? "").trimmingWhitespace(), label = (form["label"] ?? "").trimmingWhitespace()
        let id = (form["id"] ?? "").trimmingWhitespace()
        guard let days = Int((form["days"] ?? "90").trimmingWhitespace()), (1...365).contains(days) else {
            return try await page(context, shown: nil, problems: ["Số ngày hiệu lực phải từ 1 đến 365."], status: 422)
        }
        let result = (try? await state.pool.run { () -> Result<String?, KhoError> in
            do throws(KhoError) {
                switch action {
                case "make": return .success(try MakeToken(user: user, token: token, days: days, label: String(label.prefix(100))).run(in: acting).info.user)
                case "revoke":
                    _ = try RevokeToken(id: id).run(in: acting)
                    return .success(nil)
                default: throw KhoError(.usage, "Không rõ việc cần làm.")
                }
            } catch {
                return .failure(error)
            }
        }) ?? .failure(KhoError(.internal, "the token could not be changed"))
        switch result {
        case .success(let owner?):
            return try await page(context, shown: nil, problems: [], status: 200, shownToken: (owner, token))
        case .success(nil):
            return Response.redirect(to: "/admin/users", type: .normal)
        case .failure(let error) where error.code.httpStatus < 500:
            return try await page(context, shown: nil, problems: [error.message], status: error.code.httpStatus == 404 ? 422 : error.code.httpStatus)
        case .failure(let error):
            throw error
        }
    }
}
