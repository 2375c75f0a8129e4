// Web app users for the command line and the admin page: add, list, new password, disable, and
// checking a login. Passwords are hashed with bcrypt here (slow on purpose: callers in a server
// run these on the blocking pool, never on an event loop).
import HummingbirdBcrypt
import KhoCore
import KhoStore

/// bcrypt's work factor: 12 (about a quarter of a second here) unless a test asks for less.
public struct PasswordHashing: Sendable {
    public var cost: UInt8
    public init(cost: UInt8 = 12) { self.cost = cost }

    /// Passwords are hashed in NFC: the same Vietnamese letters typed with another keyboard
    /// method (composed or not) are the same password.
    func hash(_ password: String) -> String { Bcrypt.hash(VietnameseText.nfc(password), cost: cost) }

    /// A hash of no one's password, so an unknown name takes as long to refuse as a wrong password.
    static let decoy = Bcrypt.hash("kho decoy password, never valid", cost: 12)
}

public struct AddUser: ArchiveOperation {
    public var name: String
    public var role: String
    /// Today's unit code; nil: the whole archive.
    public var unit: String?
    public var password: String
    public var hashing: PasswordHashing

    public init(name: String, role: String, unit: String?, password: String, hashing: PasswordHashing = .init()) {
        self.name = name
        self.role = role
        self.unit = unit
        self.password = password
        self.hashing = hashing
    }

    public func run(in session: Session) throws(KhoError) -> UserAccount {
        let name = try UserRules.name(self.name).get(orThrow: "user name")
        let role = try UserRole.parse(self.role).get(orThrow: "role")
        let unit = try unit.map { code throws(KhoError) in try Self.todayUnit(code) }
        _ = try UserRules.password(VietnameseText.nfc(password), userName: name).get(orThrow: "password")
        let account = UserAccount(name: name, role: role, unit: unit, disabled: false, createdAt: session.clock.now())
        try session.archive.addUser(account, passwordHash: hashing.hash(password))
        return account
    }

    /// A user's unit is one of today's (the table from 1 July 2025): offices that existed before
    /// see their old units through the unit that succeeded them.
    static func todayUnit(_ text: String) throws(KhoError) -> String {
        let code = text.trimmingWhitespace()
        guard UnitTable.standard.unit(code, era: .from2025) != nil else {
            let old = UnitTable.standard.unit(code, era: .before2025)
            let hint = old.map { unit in
                let now = UnitTable.standard.successors(of: unit).map { "\($0.code) \($0.fullName)" }.joined(separator: ", ")
                return "\(unit.fullName) existed until 30 June 2025" + (now.isEmpty ? "" : "; its products are now seen from \(now)")
            } ?? "find the code with: kho units search NAME"
            throw KhoError(.unknownUnit, "--unit '\(code)': a user belongs to one of today's units (the table from 1 July 2025); \(hint)")
        }
        return code
    }
}

public struct ListUsers: ArchiveOperation {
    public init() {}
    public func run(in session: Session) throws(KhoError) -> [UserAccount] { try session.archive.users() }
}

public struct SetPassword: ArchiveOperation {
    public var name: String
    public var password: String
    public var hashing: PasswordHashing

    public init(name: String, password: String, hashing: PasswordHashing = .init()) {
        self.name = name
        self.password = password
        self.hashing = hashing
    }

    public func run(in session: Session) throws(KhoError) -> UserAccount {
        let name = try UserRules.name(self.name).get(orThrow: "user name")
        guard let found = try session.archive.user(named: name) else {
            throw KhoError(.unknownUser, "no user \(name); see the users with: kho users list")
        }
        _ = try UserRules.password(VietnameseText.nfc(password), userName: name).get(orThrow: "password")
        try session.archive.setPassword(name, passwordHash: hashing.hash(password))
        return found.account
    }
}

public struct SetUserDisabled: ArchiveOperation {
    public var name: String
    public var disabled: Bool

    public init(name: String, disabled: Bool) {
        self.name = name
        self.disabled = disabled
    }

    public func run(in session: Session) throws(KhoError) -> UserAccount {
        let name = try UserRules.name(self.name).get(orThrow: "user name")
        try session.archive.setDisabled(name, disabled)
        guard var account = try session.archive.user(named: name)?.account else {
            throw KhoError(.unknownUser, "no user \(name); see the users with: kho users list")
        }
        account.disabled = disabled
        return account
    }
}

/// Checks a name and password. The same answer, after the same work, for an unknown name, a
/// wrong password and a disabled account: nothing tells which names exist.
public struct Authenticate: ArchiveOperation {
    public var name: String
    public var password: String

    public init(name: String, password: String) {
        self.name = name
        self.password = password
    }

    public func run(in session: Session) throws(KhoError) -> UserAccount {
        let refused = KhoError(.notAuthenticated, "the user name or the password is wrong")
        guard case .success(let name) = UserRules.name(self.name), password.utf8.count <= UserRules.maxPasswordBytes,
              let found = try session.archive.user(named: name) else {
            _ = Bcrypt.verify(password, hash: PasswordHashing.decoy)
            throw refused
        }
        guard Bcrypt.verify(VietnameseText.nfc(password), hash: found.passwordHash), !found.account.disabled else { throw refused }
        return found.account
    }
}

extension Result where Failure == Problem {
    /// The value, or the problem as a KhoError naming `field`.
    func get(orThrow field: String) throws(KhoError) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let problem): throw KhoError(problem.code, problem.description, subject: Subject(field: field), problems: [problem])
        }
    }
}
