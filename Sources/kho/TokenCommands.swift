// kho users token / tokens / revoke-token: API tokens for machines (exporters, scripts). The
// token is made here from the system's random source and shown once; the archive keeps its hash.
import ArgumentParser
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform

struct UsersToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Make an API token for a user (shown once).",
        discussion: "Send it as 'Authorization: Bearer TOKEN' to /api/v1/…; it acts as the user, within their scope.")

    @Argument(help: "The user the token acts for.") var name: String
    @Option(name: .long, help: "Days the token is valid (1-3650).") var days = 90
    @Option(name: .long, help: "What the token is for, shown in listings (e.g. 'export to the province').") var label = ""
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        let made = try MakeToken(user: name, token: Self.generate(), days: days, label: label).run(in: session)
        if options.json { return Console.json(made) }
        Console.out("token \(made.info.id) for \(made.info.user), valid until \(made.info.expiresAt.iso.prefix(10))")
        Console.out("token (shown once): \(made.token)")
    }

    static func generate() -> String { Secrets.token() }
}

struct UsersTokens: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokens", abstract: "List API tokens (never the tokens themselves).")
    @Argument(help: "Only this user's.") var name: String?
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        let tokens = try ListTokens(user: name).run(in: session)
        if options.json { return Console.json(tokens) }
        if tokens.isEmpty { Console.out("no API tokens; make one with: kho users token NAME") }
        for t in tokens {
            let state = t.revokedAt != nil ? "revoked" : "until \(t.expiresAt.iso.prefix(10))"
            Console.out("\(t.id)\t\(t.user)\t\(state)\t\(t.label)")
        }
    }
}

struct UsersRevokeToken: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke-token", abstract: "Revoke an API token by the ID its listing shows.")
    @Argument(help: "The token's ID (12 hex digits, from kho users tokens).") var id: String
    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        let token = try RevokeToken(id: id).run(in: session)
        if options.json { return Console.json(token) }
        Console.out("revoked token \(token.id) of \(token.user)")
    }
}
