// Logging in and out. A login gets a new session token (never one the browser brought: no
// fixation), a new CSRF token, and the cookie; a wrong name or password says the same either
// way, after the same work, and too many of them are slowed down.
import Hummingbird
import KhoCore
import KhoOperations
import KhoStore

struct AuthRoutes {
    let state: ServerState

    func add(to router: Router<KhoContext>) {
        router.get("/login") { _, context in
            if context.session != nil { return Response.redirect(to: "/", type: .normal) }
            return state.pages.render("login", Pages.fields(context, [:]), title: "Đăng nhập")
        }
        router.post("/login") { request, context in try await login(request, context) }
        router.post("/logout") { _, context in
            if let token = context.sessionToken { try await state.run { archive throws(KhoError) in try archive.endSession(token: token) } }
            var response = Response.redirect(to: "/login", type: .found)
            response.setCookie(SessionMiddleware.expired(secure: state.options.secureCookies))
            return response
        }
    }

    /// The account, or why not (bcrypt runs on the blocking pool).
    func checkPassword(name: String, password: String) async -> Result<UserAccount, KhoError> {
        do { return .success(try await state.base.perform(Authenticate(name: name, password: password), on: state.pool)) } catch {
            return .failure(error)
        }
    }

    func login(_ request: Request, _ context: KhoContext) async throws -> Response {
        let form = try await Forms.read(request, context: context)
        let typed = form["name"] ?? ""
        let name = (try? UserRules.name(typed).get()) ?? ""
        let password = form["password"] ?? ""
        // Names that cannot exist share one key, so made-up names do not fill memory.
        let keys = ["user:\(name.isEmpty ? "?" : name)", "address:\(context.peer)"]
        let shownName = String(TextRules.visible(typed.trimmingWhitespace()).prefix(64))
        switch state.throttle.begin(keys, now: state.now()) {
        case .check: break
        case .wait(let wait):
            let minutes = Int((wait / 60).rounded(.up))
            var response = state.pages.render("login", ["name": shownName, "problem": Lang.pick("Đăng nhập sai quá nhiều lần. Hãy thử lại sau \(minutes) phút.", "Too many failed logins. Try again in \(minutes) minutes.")],
                                              status: 429, title: "Đăng nhập")
            response.headers[.retryAfter] = String(Int(wait.rounded(.up)))
            return response
        case .busy:
            var response = state.pages.render("login", ["name": shownName, "problem": "Máy chủ đang bận. Hãy thử lại sau vài giây."],
                                              status: 503, title: "Đăng nhập")
            response.headers[.retryAfter] = "5"
            return response
        }
        let checked = await checkPassword(name: name, password: password)
        state.throttle.end(keys, succeeded: (try? checked.get()) != nil)
        let user: UserAccount
        switch checked {
        case .success(let found): user = found
        case .failure(let error) where error.code == .notAuthenticated:
            context.logger.notice("failed login for '\(shownName)' from \(context.peer)")
            return state.pages.render("login", Pages.fields(context, ["name": shownName, "problem": "Tên đăng nhập hoặc mật khẩu không đúng."]), status: 401, title: "Đăng nhập")
        case .failure(let error): throw error
        }
        // Whatever session the browser had ends: the new one has a token it has never seen.
        if let old = context.sessionToken { try await state.run { archive throws(KhoError) in try archive.endSession(token: old) } }
        let token = Tokens.make(), csrf = Tokens.make()
        try await state.run { archive throws(KhoError) in try archive.startSession(token: token, user: user.name, csrf: csrf) }
        context.logger.info("login of \(user.name) from \(context.peer)")
        var response = Response.redirect(to: "/", type: .found)
        response.setCookie(SessionMiddleware.cookie(token, secure: state.options.secureCookies))
        return response
    }
}
