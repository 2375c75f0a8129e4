// API tokens: made by an admin for a user (an exporter's machine, a script), shown once, kept
// by their SHA-256, with an expiry, revocable. A token acts as its user, within their scope.
import GRDB
import KhoCore
import KhoPlatform

/// A token as listings show it (never the token itself).
public struct StoredToken: Sendable, Equatable, Codable {
    /// The first 12 hex digits of the token's SHA-256: how a token is named to revoke it.
    public var id: String
    public var user: String
    public var label: String
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    public var revokedAt: Timestamp?
}

extension Archive {
    /// Records `token` for `user` until `expiresAt`.
    public func addToken(_ token: String, user: String, label: String, expiresAt: Timestamp) throws(KhoError) -> StoredToken {
        let now = clock.now()
        let hash = Self.tokenHash(token)
        let stored = StoredToken(id: String(hash.prefix(12)), user: user, label: label, createdAt: now, expiresAt: expiresAt, revokedAt: nil)
        try catalog.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [user]) == true else {
                throw KhoError(.unknownUser, "no user \(user); see the users with: kho users list")
            }
            try db.execute(sql: """
                INSERT INTO api_tokens (token_sha256, id, user_name, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [hash, stored.id, user, label, now.iso, expiresAt.iso])
            try CatalogWrites.append(db, event(.userAdministration, object: "user:\(user)", product: nil,
                                               detail: "API token \(stored.id) made\(label.isEmpty ? "" : " (\(label))"), valid until \(expiresAt.iso)", at: now))
        }
        return stored
    }

    public func tokens(user: String? = nil) throws(KhoError) -> [StoredToken] {
        try catalog.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens WHERE ? IS NULL OR user_name = ? ORDER BY created_at, id", arguments: [user, user]).map { row in
                StoredToken(id: row["id"], user: row["user_name"], label: row["label"], createdAt: Timestamp(iso: row["created_at"]),
                            expiresAt: Timestamp(iso: row["expires_at"]), revokedAt: (row["revoked_at"] as String?).map(Timestamp.init(iso:)))
            }
        }
    }

    /// Revokes the token named `id` (its listing's ID); a revoked token never works again.
    public func revokeToken(id: String) throws(KhoError) {
        let now = clock.now()
        try catalog.write { db in
            guard let user = try String.fetchOne(db, sql: "SELECT user_name FROM api_tokens WHERE id = ?", arguments: [id.lowercased()]) else {
                throw KhoError(.unknownUser, "no API token \(id); see them with: kho users tokens")
            }
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", arguments: [now.iso, id.lowercased()])
            try CatalogWrites.append(db, event(.userAdministration, object: "user:\(user)", product: nil, detail: "API token \(id.lowercased()) revoked", at: now))
        }
    }

    /// The user `token` acts for, if it is known, not revoked, not expired, and its user not disabled.
    public func tokenUser(_ token: String) throws(KhoError) -> UserAccount? {
        let now = clock.now()
        return try catalog.read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT u.* FROM api_tokens t JOIN users u ON u.name = t.user_name
                WHERE t.token_sha256 = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.disabled = 0
                """), arguments: [Self.tokenHash(token), now.iso]).map(Self.account)
        }
    }
}
