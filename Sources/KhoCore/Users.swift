// The web app's people: the four roles and what each may do, and the rules for user names and
// passwords. Pure: the catalog stores users, the server asks `Permissions` before acting.

/// What a user is for. Staff work on products, auditors read figures, exporters are machines
/// with API tokens that run and fetch exports, admins do everything.
public enum UserRole: String, Sendable, Codable, CaseIterable {
    case admin, staff, auditor, exporter

    public static func parse(_ text: String) -> Result<UserRole, Problem> {
        if let role = UserRole(rawValue: text.trimmingWhitespace().lowercased()) { return .success(role) }
        return .failure(Problem(code: .unknownRole, field: "role", value: text, expected: "one of admin, staff, auditor, exporter"))
    }
}

/// Something a user may ask to do to a product or the archive.
public enum UserAction: String, Sendable, CaseIterable {
    case list, read, readRestricted, create, edit, attach, download, report, export, administer
}

public enum Permissions {
    /// Whether `role` may do `action` inside the user's scope (outside it, nothing is allowed,
    /// and a product there is not found). Restricted products are read only by admins and by
    /// staff of the product's subtree; they count in every figure for everyone.
    public static func allows(_ role: UserRole, _ action: UserAction) -> Bool {
        switch (role, action) {
        case (.admin, _): true
        case (.staff, .list), (.staff, .read), (.staff, .readRestricted), (.staff, .create), (.staff, .edit), (.staff, .attach),
             (.staff, .download), (.staff, .report):
            true
        case (.auditor, .list), (.auditor, .read), (.auditor, .download), (.auditor, .report):
            true
        case (.exporter, .list), (.exporter, .read), (.exporter, .export), (.exporter, .download):
            true
        default: false
        }
    }
}

public enum UserRules {
    /// A login name: 2 to 64 of a-z, 0-9, `.`, `_`, `-`, starting with a letter; typed in any
    /// case, stored in lower case, so "Lan.Nguyen" and "lan.nguyen" are one account.
    public static func name(_ text: String) -> Result<String, Problem> {
        let name = text.trimmingWhitespace().lowercased()
        let allowed = name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }
        guard (2...64).contains(name.utf8.count), allowed, let first = name.utf8.first, (0x61...0x7A).contains(first) else {
            return .failure(Problem(code: .invalidUserName, field: "user name", value: text,
                                    expected: "2 to 64 letters a-z, digits, '.', '_' or '-', starting with a letter (no diacritics), e.g. lan.nguyen"))
        }
        return .success(name)
    }

    /// bcrypt reads at most 72 bytes: a longer password would be cut silently, so it is refused.
    public static let maxPasswordBytes = 72
    public static let minPasswordCharacters = 10

    /// A password: at least 10 characters, at most 72 bytes, not the user name, not one
    /// character repeated. Returns the password as given (never trimmed or changed).
    public static func password(_ password: String, userName: String) -> Result<String, Problem> {
        func fail(_ expected: String) -> Result<String, Problem> {
            // The value is never echoed back.
            .failure(Problem(code: .weakPassword, field: "password", value: "(hidden)", expected: expected))
        }
        if password.count < minPasswordCharacters { return fail("at least \(minPasswordCharacters) characters") }
        if password.utf8.count > maxPasswordBytes { return fail("at most \(maxPasswordBytes) bytes (about 24 Vietnamese letters with diacritics, 72 without)") }
        if password.lowercased().contains(userName.lowercased()) { return fail("a password that does not contain the user name") }
        if Set(password).count < 4 { return fail("a password of at least 4 different characters") }
        return .success(password)
    }
}

/// A user as the catalog keeps them (never with the password hash).
public struct UserAccount: Sendable, Equatable, Codable {
    public var name: String
    public var role: UserRole
    /// Today's unit (the table from 1 July 2025) whose subtree the user works on; nil: the whole archive.
    public var unit: String?
    public var disabled: Bool
    public var createdAt: Timestamp

    public init(name: String, role: UserRole, unit: String?, disabled: Bool, createdAt: Timestamp) {
        self.name = name
        self.role = role
        self.unit = unit
        self.disabled = disabled
        self.createdAt = createdAt
    }
}
