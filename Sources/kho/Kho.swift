// The `kho` command: subcommands, and the one place errors become messages and exit codes
// (0 success, 1 a mistake or a problem in the environment, 2 usage, 3 damage found).
import ArgumentParser
import Foundation
import KhoCore
import KhoStore

struct Kho: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kho",
        abstract: "Kho: the archive of human-rights communication products (Decision 1079/QĐ-TTg).",
        discussion: """
            The archive is the folder given by --storage, else $KHO_STORAGE, else ./Storage \
            (created on first use). Exit codes: 0 success, 1 error, 2 usage, 3 damage found.
            """,
        version: KhoVersion.current,
        subcommands: [
            InitCommand.self, IngestCommand.self, ImportCommand.self, RegisterCommand.self, AttachCommand.self, EditCommand.self,
            ShowCommand.self, ListCommand.self, SearchCommand.self, GetCommand.self, VerifyCommand.self,
            DuplicatesCommand.self, UnitsCommand.self, LanguagesCommand.self, ReportCommand.self, TargetsCommand.self, ExportCommand.self, ExportsCommand.self, BundleCommand.self,
        ])
}

@main
enum Main {
    static func main() {
        ConsoleLogHandler.bootstrap()
        do {
            var command = try Kho.parseAsRoot()
            try command.run()
        } catch let error as KhoError {
            Console.fail(error)
        } catch let failure as ValidationFailure {
            Console.fail(failure.asKhoError)
        } catch {
            let code = Kho.exitCode(for: error)
            if code == .success || error is ExitCode || error is CleanExit {
                Kho.exit(withError: error)
            }
            // A usage mistake: argument-parser's message, exit code 2.
            Console.error(Kho.fullMessage(for: error))
            Foundation.exit(2)
        }
    }
}
