// The `kho` command: its subcommands, and how a run ends. A command line that does not parse
// is a usage error (exit 2, argument-parser's message and the usage); a KhoError from a
// command ends as Console.fail says (1, or 3 for damage); anything else is a bug, exit 1 with
// one line.
import ArgumentParser
import Foundation
import KhoCore
import KhoPlatform
import Logging

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
            InitCommand.self, IngestCommand.self, ImportCommand.self, RegisterCommand.self, AttachCommand.self, EditCommand.self, WithdrawCommand.self,
            ShowCommand.self, ListCommand.self, SearchCommand.self, GetCommand.self, VerifyCommand.self,
            DuplicatesCommand.self, UnitsCommand.self, LanguagesCommand.self, ReportCommand.self, TargetsCommand.self, ExportCommand.self, ExportsCommand.self, BundleCommand.self,
            UsersCommand.self, ServeCommand.self, ReplicaCommand.self, ReplicateCommand.self, RepairCommand.self, RebuildCatalogCommand.self,
        ])
}

@main
enum Main {
    static func main() {
        do {
            Settings.current = try Settings.load(ProcessInfo.processInfo.environment)
        } catch {
            Console.fail(error)
        }
        ConsoleLogHandler.bootstrap(level: Settings.current.logLevel)
        Sys.tuneAllocator()
        var command: any ParsableCommand
        do {
            command = try Kho.parseAsRoot()
        } catch {
            usage(error)
        }
        do {
            try command.run()
        } catch let error as KhoError {
            Console.fail(error)
        } catch let error as ExitCode {
            Kho.exit(withError: error)
        } catch let error as CleanExit {
            Kho.exit(withError: error)   // help and --version requested as a subcommand
        } catch let error as ValidationError {
            usage(error)
        } catch where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            usage(error)   // `kho help CMD`, `kho CMD --help`: argument-parser's own errors
        } catch {
            // A bug: one line for the user, the details for whoever turns on debug logging.
            Logger(label: "kho").debug("unexpected error: \(String(reflecting: error))")
            Console.fail(KhoError(.internal, "an unexpected error stopped kho; nothing more was done (KHO_LOG_LEVEL=debug shows the details; please report it)"))
        }
    }

    /// A command line that does not parse, or whose options contradict each other: argument-
    /// parser's message with the usage, exit 2 (help and --version exit 0). With --json, the
    /// error also goes to stdout as JSON, like every other error.
    static func usage(_ error: any Error) -> Never {
        let code = Kho.exitCode(for: error)
        if code == .success || error is CleanExit { Kho.exit(withError: error) }
        Console.error(Kho.fullMessage(for: error))
        if CommandLine.arguments.dropFirst().prefix(while: { $0 != "--" }).contains("--json") {
            Console.jsonMode = true
            Console.json(["error": ["code": ErrorCode.usage.rawValue, "message": Kho.message(for: error)]])
        }
        exit(Console.exitCode(.usage))
    }
}
