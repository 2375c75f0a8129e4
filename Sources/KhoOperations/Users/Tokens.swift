// API tokens for machines: an admin makes one for a user (shown once), lists them, revokes one.
// The token's random bytes come from the front end (the command line), as every random value does.
import KhoCore
import KhoStore

/// `kho users token NAME`: a new token for the user, valid `days` days.
public struct MakeToken: ArchiveOperation {
    public var user: String
    /// The token itself, made by the caller from the system's random source.
    public var token: String
    public var days: Int
    public var label: String

    public init(user: String, token: String, days: Int = 90, label: String = "") {
        self.user = user
        self.token = token
        self.days = days
        self.label = label
    }

    public func run(in session: Session) throws(KhoError) -> TokenDocument {
        guard (1...3650).contains(days) else {
            throw KhoError(.invalidChoice, "--days \(days): a token is valid from 1 to 3650 days", subject: .field("days", String(days)))
        }
        guard token.utf8.count >= 32 else { throw KhoError(.internal, "an API token must be at least 32 characters") }
        let name = try UserRules.name(user).get(orThrow: "user name")
        let now = session.clock.now().epochSeconds ?? 0
        let stored = try session.archive.addToken(token, user: name, label: label, expiresAt: Timestamp(epochSeconds: now + Double(days) * 86_400))
        return TokenDocument(token: token, info: stored)
    }
}

/// A token just made: the token (shown this once) and what listings say of it.
public struct TokenDocument: Codable, Sendable {
    public var token: String
    public var info: StoredToken
}

public struct ListTokens: ArchiveOperation {
    public var user: String?
    public init(user: String? = nil) { self.user = user }
    public func run(in session: Session) throws(KhoError) -> [StoredToken] { try session.archive.tokens(user: user) }
}

public struct RevokeToken: ArchiveOperation {
    public var id: String
    public init(id: String) { self.id = id }
    public func run(in session: Session) throws(KhoError) -> StoredToken {
        try session.archive.revokeToken(id: id)
        guard let token = try session.archive.tokens().first(where: { $0.id == id.lowercased() }) else {
            throw KhoError(.unknownUser, "no API token \(id)")
        }
        return token
    }
}
