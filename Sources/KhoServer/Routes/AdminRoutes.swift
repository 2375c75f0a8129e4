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
    }

    func admin(_ context: KhoContext) throws -> StoredSession {
        guard let session = context.session else { throw KhoError(.notAuthenticated, "Hãy đăng nhập trước.") }
        guard Permissions.allows(session.user.role, .administer) else { throw KhoError(.forbidden, "Chỉ quản trị viên dùng trang này.") }
        return session
    }

    func page(_ context: KhoContext, shown: (name: String, password: String)?, problems: [String], status: Int) async throws -> Response {
        guard context.session != nil else { return Response.redirect(to: "/login", type: .found) }
        _ = try admin(context)
        let base = state.base
        let users = try await state.pool.run { () throws(KhoError) in try ListUsers().run(in: base) }
        var fields: [String: Any] = [
            "users": users.map { u in
                ["name": u.name, "role": Pages.roleName(u.role), "unit": Pages.unitName(u.unit), "disabled": u.disabled] as [String: Any]
            },
            "roles": UserRole.allCases.map { ["value": $0.rawValue, "label": Pages.roleName($0)] },
            "problems": problems,
        ]
        if let shown { fields["shown"] = ["name": shown.name, "password": shown.password] }
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
}
