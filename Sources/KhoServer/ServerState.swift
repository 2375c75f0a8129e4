// What every route shares: the open archive, the options, the compiled pages, the login
// throttle. Created once by `makeApplication`.
import KhoCore
import KhoOperations
import KhoPlatform
import KhoStore

struct ServerState: Sendable {
    /// The archive, acting for the server itself; each request acts for its user (`acting`).
    let base: Session
    let options: ServerOptions
    let pages: Pages
    let throttle = LoginThrottle()
    let pool: BlockingPool

    var archive: Archive { base.archive }
    var clock: Clock { base.clock }

    /// The archive acting for `user`: the events it writes name them.
    func acting(_ user: UserAccount) -> Session {
        Session(archive: base.archive, actor: Actor(agent: "\(base.actor.agent) web user \(user.name)"))
    }

    /// Runs catalog work on the blocking pool.
    func run<T: Sendable>(_ work: @escaping @Sendable (Archive) throws(KhoError) -> T) async throws(KhoError) -> T {
        let archive = self.archive
        return try await pool.run { () throws(KhoError) in try work(archive) }
    }

    func now() -> Double { clock.now().epochSeconds ?? 0 }
}
