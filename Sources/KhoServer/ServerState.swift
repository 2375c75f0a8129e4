// What every route shares: the open archive, the options, the compiled pages, the login
// throttle. Created once by `makeApplication`.
import KhoCore
import KhoOperations
import KhoPlatform
import KhoStore
import Synchronization

final class ServerState: Sendable {
    /// The archive, acting for the server itself; each request acts for its user (`acting`).
    let base: Session
    /// The options, with the port really listened on once the server runs (--port 0).
    var options: ServerOptions { bound.withLock { $0 } }
    private let bound: Mutex<ServerOptions>
    let pages: Pages
    let throttle = LoginThrottle()
    let pool: BlockingPool
    /// The resumable uploads waiting in the archive.
    let uploads: UploadArea
    /// Dashboards already computed for the catalog as it is.
    let reports = ReportCache()
    let oaiCounts = OAICountCache()
    /// Exports and imports running in the background, one at a time.
    let jobs: JobRunner
    /// When expired uploads and sessions were last removed (seconds since 1970).
    private let lastCleanUp = Mutex<Double>(0)

    init(base: Session, options: ServerOptions, pages: Pages, pool: BlockingPool) {
        self.base = base
        bound = Mutex(options)
        self.pages = pages
        self.pool = pool
        uploads = base.archive.makeUploadArea()
        let clock = base.clock
        jobs = JobRunner(area: base.archive.makeJobArea(), pool: pool, now: { clock.now().epochSeconds ?? 0 })
        base.archive.removeOldExports(before: (clock.now().epochSeconds ?? 0) - Self.keepExports, partials: true)
    }

    /// The server listens on `port` (the one it took, when asked for any free one).
    func listening(on port: Int) { bound.withLock { $0 = $0.listening(on: port) } }

    /// The web app's bundles are kept this long (their records, forever).
    static let keepExports: Double = 30 * 86_400

    /// Removes expired uploads and sessions, finished jobs and old bundles, at most once an
    /// hour, in the background.
    func cleanUpNowAndThen() {
        let now = self.now()
        guard lastCleanUp.withLock({ last in
            guard now - last >= 3600 else { return false }
            last = now
            return true
        }) else { return }
        let (uploads, archive, options, jobs) = (self.uploads, self.archive, self.options, self.jobs)
        Task {
            _ = try? await pool.run { () throws(KhoError) in
                uploads.removeExpired(now: now)
                jobs.cleanUp()
                archive.removeOldExports(before: now - Self.keepExports)
                _ = try archive.endExpiredSessions(idleBefore: Timestamp(epochSeconds: now - options.sessionIdleSeconds),
                                                  startedBefore: Timestamp(epochSeconds: now - options.sessionAbsoluteSeconds))
            }
        }
    }

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
