// Who acts on which archive: every operation runs in a session, and every event it writes
// names the session's actor.
import KhoCore
import KhoPlatform
import KhoStore

/// The acting party. Today an agent string (`kho 0.1.0 (user@host)`, or a script's name); the
/// web server adds the user's role and unit.
public struct Actor: Sendable, Equatable {
    public var agent: String
    public init(agent: String) { self.agent = agent }
}

/// An open archive acting for one actor, and where long work reports its progress.
public struct Session: Sendable {
    public let archive: Archive
    public let actor: Actor
    public var progress: (any ProgressReporter)?

    public init(archive: Archive, actor: Actor, progress: (any ProgressReporter)? = nil) {
        self.archive = archive.acting(as: actor.agent)
        self.actor = actor
        self.progress = progress
    }

    /// The archive's clock: operations read the time only from here.
    public var clock: Clock { archive.clock }
}

/// A user-level operation on an archive: an input value (the conforming type's fields) and a
/// result document. `run` blocks on disk and catalog I/O: call it where blocking is fine (the
/// command line), or through `Session.perform` from async code.
public protocol ArchiveOperation: Sendable {
    associatedtype Result: Codable & Sendable
    func run(in session: Session) throws(KhoError) -> Result
}

/// An operation that needs no archive (unit tables, checking a bundle).
public protocol StandaloneOperation: Sendable {
    associatedtype Result: Codable & Sendable
    func run() throws(KhoError) -> Result
}

extension Session {
    /// Runs `operation` on a thread that may block; the caller is suspended meanwhile.
    /// The sidecars of the products it changed are renewed before it returns.
    public func perform<Op: ArchiveOperation>(_ operation: Op, on pool: BlockingPool = .shared) async throws(KhoError) -> Op.Result {
        let session = self
        return try await pool.run { () throws(KhoError) in
            defer { session.renewSidecars() }
            return try operation.run(in: session)
        }
    }

    /// Renews the sidecars of products changed meanwhile; a failure is logged and left to the next time.
    public func renewSidecars() {
        do { try archive.renewSidecars() } catch { archive.logger.warning("product sidecars not renewed now: \(error.message)") }
    }
}

extension StandaloneOperation {
    /// Runs the operation on a thread that may block; the caller is suspended meanwhile.
    public func perform(on pool: BlockingPool = .shared) async throws(KhoError) -> Result {
        let operation = self
        return try await pool.run { () throws(KhoError) in try operation.run() }
    }
}
