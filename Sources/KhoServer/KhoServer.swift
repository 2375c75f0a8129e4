// `kho serve`: the web app on Hummingbird 2, built in one function from an open archive and
// the options. Middleware, outermost first: the request log, security headers, error pages,
// sessions with their origin and CSRF checks; then the routes.
import Hummingbird
import KhoCore
import KhoOperations
import KhoPlatform
import Logging
import NIOCore

/// The application serving `session`'s archive. Run it with `runService()` (stops gracefully
/// on SIGINT and SIGTERM), or test it with HummingbirdTesting. `onRunning` is told the port
/// it listens on (the one the system chose when the options say 0).
public func makeApplication(_ session: Session, options: ServerOptions, logger: Logger, pool: BlockingPool = .shared,
                            onRunning: @escaping @Sendable (Int) -> Void = { _ in }) throws(KhoError) -> some ApplicationProtocol {
    let pages: Pages
    do { pages = try Pages() } catch {
        throw KhoError(.internal, "a page template does not compile: \(error)")
    }
    let state = ServerState(base: session, options: options, pages: pages, pool: pool)
    let router = Router(context: KhoContext.self)
    router.add(middleware: RequestLog())
    router.add(middleware: SecurityHeaders())
    router.add(middleware: LangMiddleware())
    router.add(middleware: ErrorPages(pages: pages))
    router.add(middleware: SessionMiddleware(state: state))
    BasicRoutes(state: state).add(to: router)
    AuthRoutes(state: state).add(to: router)
    NewProductRoutes(state: state).add(to: router)
    let products = ProductRoutes(state: state)
    products.add(to: router)
    AttachRoutes(state: state, products: products).add(to: router)
    EditRoutes(state: state).add(to: router)
    AdminRoutes(state: state).add(to: router)
    ExportRoutes(state: state).add(to: router)
    ImportRoutes(state: state).add(to: router)
    FileRoutes(state: state).add(to: router)
    ReportRoutes(state: state).add(to: router)
    UploadRoutes(state: state).add(to: router)
    ApiRoutes(state: state).add(to: router)
    OAIRoutes(state: state).add(to: router)
    state.cleanUpNowAndThen()
    // A connection that sends nothing for two minutes is closed: a stalled upload (a phone that
    // lost its network mid-chunk) ends, keeps what arrived, and lets the upload be continued.
    return Application(router: router, server: .http1(configuration: .init(idleTimeout: .seconds(120))),
                       configuration: .init(address: .hostname(options.host, port: options.port), serverName: "Kho"),
                       onServerRunning: { channel in
                           let port = channel.localAddress?.port ?? options.port
                           state.listening(on: port)
                           onRunning(port)
                       }, logger: logger)
}
