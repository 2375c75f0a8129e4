import ArgumentParser
import KhoCore
import KhoStore

struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Attach files to a product: the digitized master of a registered product, or access copies.",
        discussion: """
            Attaching a master to a registered (physical) product makes it digitized, on --digitized \
            (default: today) by --method (default: scan for paper, prints and photos; transfer for tapes and film).
            """)

    @Argument(help: "The product ID.")
    var id: String

    @OptionGroup var files: FileArguments

    @Option(name: .long, help: ArgumentHelp("Date it was digitized.", valueName: "YYYY-MM-DD"))
    var digitized: String?

    @Option(name: .long, help: "How it was digitized: scan, photograph or transfer.")
    var method: String?

    @Option(name: .long, help: "Role of the files: master (default), access or supplement.")
    var role: String = "master"

    @Option(name: .long, help: "Files hashed in parallel (default: all cores).")
    var jobs: Int?

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let productID = try parseProductID(id)
        let date = try parseOption(digitized, option: "--digitized", CalendarDate.parse)
        let method = try parseOption(method, option: "--method") { text in
            DigitizationMethod.parse(text).map { .success($0) } ?? .failure(Problem(
                code: "unknown_method", field: "method", value: text, expected: "one of scan, photograph, transfer"))
        }
        let role = try parseOption(role, option: "--role") { text in
            FileRole.parse(text).map { .success($0) } ?? .failure(Problem(
                code: "unknown_role", field: "role", value: text, expected: "one of master, access, supplement"))
        } ?? .master
        let archive = try options.openArchive()
        defer { archive.close() }
        let result = try archive.attach(productID, files: try files.paths(), role: role, digitizedOn: date,
                                        method: method, jobs: jobs ?? Archive.defaultJobs, progress: TerminalProgress.forTerminal())
        report(result, warnings: [], json: options.json, registry: archive.registry)
    }
}
