// kho users: the web app's accounts. Passwords are read without echo from the terminal, from
// standard input with --password-stdin (scripts), or made up and shown once (--generate-password).
import ArgumentParser
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform

struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Accounts of the web app (kho serve): add, list, change a password, disable.",
        discussion: """
            Roles: admin (everything), staff (create and edit products of their unit and the units \
            under it), auditor (read products, reports and dashboards of their unit's subtree), \
            exporter (machines: run and download exports). --unit is one of today's unit codes \
            (from 1 July 2025); a province's users also see the old units merged into it. Without \
            --unit a user works on the whole archive.
            """,
        subcommands: [UsersAdd.self, UsersList.self, UsersPasswd.self, UsersDisable.self, UsersEnable.self,
                      UsersToken.self, UsersTokens.self, UsersRevokeToken.self])
}

/// Where a new password comes from.
struct PasswordOptions: ParsableArguments {
    @Flag(name: .long, help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    @Flag(name: .long, help: "Make up a strong password and print it once.")
    var generatePassword = false

    /// The password, and whether it was made up here (and must be shown).
    func read() throws(KhoError) -> (password: String, generated: Bool) {
        if passwordStdin && generatePassword { throw KhoError(.usage, "give --password-stdin or --generate-password, not both") }
        if generatePassword { return (Self.generate(), true) }
        if passwordStdin {
            guard let line = readLine(strippingNewline: true) else { throw KhoError(.usage, "--password-stdin: standard input was empty") }
            return (line, false)
        }
        guard Sys.isTerminal(0) else {
            throw KhoError(.usage, "no terminal to ask for the password: use --password-stdin or --generate-password")
        }
        let first = String(cString: getpass("Mật khẩu / password: "))
        let again = String(cString: getpass("Nhập lại / again: "))
        guard first == again else { throw KhoError(.usage, "the two passwords differ; nothing was changed") }
        return (first, false)
    }

    static func generate() -> String { Secrets.password() }
}

struct UsersAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user of the web app.")

    @Argument(help: "The login name: letters a-z, digits, '.', '_', '-', e.g. lan.nguyen.")
    var name: String

    @Option(name: .long, help: "admin, staff, auditor or exporter.")
    var role: String

    @Option(name: .long, help: ArgumentHelp("Today's unit code (from 1 July 2025); omit for the whole archive.", valueName: "CODE"))
    var unit: String?

    @OptionGroup var password: PasswordOptions
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let (secret, generated) = try password.read()
        let session = try options.open()
        defer { session.archive.close() }
        let user = try AddUser(name: name, role: role, unit: unit, password: secret).run(in: session)
        show(user, "added \(user.name): \(user.role.rawValue), \(user.unit.map { "unit \($0)" } ?? "the whole archive")",
             password: generated ? secret : nil, json: options.json)
    }
}

struct UsersList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the users of the web app.")
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        let users = try ListUsers().run(in: session)
        if options.json {
            Console.json(users.map { UserLine($0, password: nil) })
            return
        }
        if users.isEmpty { Console.out("no users yet; add the first with: kho users add NAME --role admin") }
        for u in users {
            Console.out("\(u.name)\t\(u.role.rawValue)\t\(u.unit ?? "all")\t\(u.disabled ? "disabled" : "active")\tsince \(u.createdAt.iso.prefix(10))")
        }
    }
}

struct UsersPasswd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Give a user a new password (their sessions end).")
    @Argument(help: "The login name.") var name: String
    @OptionGroup var password: PasswordOptions
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let (secret, generated) = try password.read()
        let session = try options.open()
        defer { session.archive.close() }
        let user = try SetPassword(name: name, password: secret).run(in: session)
        show(user, "new password for \(user.name); their sessions have ended", password: generated ? secret : nil, json: options.json)
    }
}

struct UsersDisable: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disable", abstract: "Stop a user from logging in (their sessions end).")
    @Argument(help: "The login name.") var name: String
    @OptionGroup var options: ArchiveOptions
    func run() throws { try setDisabled(name, true, options) }
}

struct UsersEnable: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Let a disabled user log in again.")
    @Argument(help: "The login name.") var name: String
    @OptionGroup var options: ArchiveOptions
    func run() throws { try setDisabled(name, false, options) }
}

private func setDisabled(_ name: String, _ disabled: Bool, _ options: ArchiveOptions) throws {
    Console.jsonMode = options.json
    let session = try options.open()
    defer { session.archive.close() }
    let user = try SetUserDisabled(name: name, disabled: disabled).run(in: session)
    show(user, disabled ? "\(user.name) is disabled; their sessions have ended" : "\(user.name) may log in again", password: nil, json: options.json)
}

/// A changed user: the line, and a password Kho made up (shown once); or both as JSON.
private func show(_ user: UserAccount, _ line: String, password: String?, json: Bool) {
    if json { return Console.json(UserLine(user, password: password)) }
    Console.out(line)
    if let password { Console.out("password (shown once): \(password)") }
}

/// A user as `--json` prints them.
struct UserLine: Encodable {
    var name: String
    var role: String
    var unit: String?
    var disabled: Bool
    var createdAt: String
    /// Only when Kho made the password up.
    var password: String?

    init(_ u: UserAccount, password: String?) {
        name = u.name
        role = u.role.rawValue
        unit = u.unit
        disabled = u.disabled
        createdAt = u.createdAt.iso
        self.password = password
    }
}
