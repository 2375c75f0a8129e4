// The web app's users and their sessions, in the catalog. Passwords arrive here already hashed
// (bcrypt, by the operations layer); sessions are kept by the SHA-256 of their token. Every
// change to a user is an event with the acting agent.
import Crypto
import GRDB
import KhoCore
import KhoPlatform

/// A logged-in session as the catalog keeps it.
public struct StoredSession: Sendable, Equatable {
    public var user: UserAccount
    /// The token forms and scripts must send back with every change.
    public var csrf: String
    public var createdAt: Timestamp
    public var lastSeenAt: Timestamp

    public init(user: UserAccount, csrf: String, createdAt: Timestamp, lastSeenAt: Timestamp) {
        self.user = user
        self.csrf = csrf
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}

extension Archive {
    public func addUser(_ account: UserAccount, passwordHash: String) throws(KhoError) {
        let now = clock.now()
        try catalog.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [account.name]) == true {
                throw KhoError(.userExists, "a user \(account.name) exists already; change their password with: kho users passwd \(account.name)")
            }
            try db.execute(sql: """
                INSERT INTO users (name, password_hash, role, unit, disabled, created_at, password_changed_at) VALUES (?, ?, ?, ?, 0, ?, ?)
                """, arguments: [account.name, passwordHash, account.role.rawValue, account.unit, now.iso, now.iso])
            try CatalogWrites.append(db, event(.userAdministration, object: "user:\(account.name)", product: nil,
                                               detail: "user added: role \(account.role.rawValue), unit \(account.unit ?? "the whole archive")", at: now))
        }
    }

    public func users() throws(KhoError) -> [UserAccount] {
        try catalog.read { db in try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(Self.account) }
    }

    /// The user and their password hash, for a login.
    public func user(named name: String) throws(KhoError) -> (account: UserAccount, passwordHash: String)? {
        try catalog.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map { (Self.account($0), $0["password_hash"]) }
        }
    }

    /// A new password; every session of the user ends.
    public func setPassword(_ name: String, passwordHash: String) throws(KhoError) {
        let now = clock.now()
        try catalog.write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ?", arguments: [passwordHash, now.iso, name])
            guard db.changesCount == 1 else { throw KhoError(.unknownUser, "no user \(name); see the users with: kho users list") }
            try db.execute(sql: "DELETE FROM sessions WHERE user_name = ?", arguments: [name])
            try CatalogWrites.append(db, event(.userAdministration, object: "user:\(name)", product: nil, detail: "password changed; sessions ended", at: now))
        }
    }

    /// Disables (or enables again) a user; disabling ends every session of theirs.
    public func setDisabled(_ name: String, _ disabled: Bool) throws(KhoError) {
        let now = clock.now()
        try catalog.write { db in
            try db.execute(sql: "UPDATE users SET disabled = ? WHERE name = ?", arguments: [disabled, name])
            guard db.changesCount == 1 else { throw KhoError(.unknownUser, "no user \(name); see the users with: kho users list") }
            var revoked = 0
            if disabled {
                try db.execute(sql: "DELETE FROM sessions WHERE user_name = ?", arguments: [name])
                // Their machines' tokens end too: enabling the user again does not bring them back.
                try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE user_name = ? AND revoked_at IS NULL", arguments: [now.iso, name])
                revoked = db.changesCount
            }
            try CatalogWrites.append(db, event(.userAdministration, object: "user:\(name)", product: nil,
                                               detail: disabled ? "user disabled; sessions ended" + (revoked > 0 ? "; \(revoked) API token(s) revoked" : "") : "user enabled", at: now))
        }
    }

    /// Records a new session under the hash of `token`.
    public func startSession(token: String, user: String, csrf: String) throws(KhoError) {
        let now = clock.now()
        try catalog.write { db in
            try db.execute(sql: "INSERT INTO sessions (token_sha256, user_name, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [Self.tokenHash(token), user, csrf, now.iso, now.iso])
        }
    }

    /// The session of `token` with its user, if it exists and the user is not disabled.
    public func session(token: String) throws(KhoError) -> StoredSession? {
        try catalog.read { db in
            // Asked on every request: one prepared statement per connection.
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT u.*, s.csrf, s.created_at AS s_created, s.last_seen_at FROM sessions s JOIN users u ON u.name = s.user_name
                WHERE s.token_sha256 = ? AND u.disabled = 0
                """), arguments: [Self.tokenHash(token)]) else { return nil }
            return StoredSession(user: Self.account(row), csrf: row["csrf"], createdAt: Timestamp(iso: row["s_created"]),
                                 lastSeenAt: Timestamp(iso: row["last_seen_at"]))
        }
    }

    /// Marks the session as used now (its idle timeout starts again).
    public func touchSession(token: String) throws(KhoError) {
        let now = clock.now()
        try catalog.write { db in
            try db.execute(sql: "UPDATE sessions SET last_seen_at = ? WHERE token_sha256 = ?", arguments: [now.iso, Self.tokenHash(token)])
        }
    }

    public func endSession(token: String) throws(KhoError) {
        try catalog.write { db in try db.execute(sql: "DELETE FROM sessions WHERE token_sha256 = ?", arguments: [Self.tokenHash(token)]) }
    }

    /// Removes sessions last seen before `idleBefore` or started before `startedBefore`.
    public func endExpiredSessions(idleBefore: Timestamp, startedBefore: Timestamp) throws(KhoError) -> Int {
        try catalog.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?", arguments: [idleBefore.iso, startedBefore.iso])
            return db.changesCount
        }
    }

    /// The events about one user (`user:NAME`), oldest first.
    public func events(object: String) throws(KhoError) -> [PreservationEvent] {
        try catalog.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE product_id IS NULL AND object = ? ORDER BY pk", arguments: [object]).map(CatalogReads.event)
        }
    }

    static func tokenHash(_ token: String) -> String { Hex.lower(SHA256.hash(data: Array(token.utf8))) }

    static func account(_ row: Row) -> UserAccount {
        UserAccount(name: row["name"], role: UserRole(rawValue: row["role"]) ?? .auditor, unit: row["unit"],
                    disabled: row["disabled"], createdAt: Timestamp(iso: row["created_at"]))
    }
}
