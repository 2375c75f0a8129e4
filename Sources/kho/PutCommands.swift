// ingest, register, attach, edit: parse, call the operation, print the ID (and notes).
import ArgumentParser
import KhoCore
import KhoOperations
import KhoPlatform

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store a born-digital product with one or more master files; prints its new ID.",
        discussion: """
            Each file is hashed while it is copied into the archive; bytes already stored are not \
            stored again, and Kho says which product holds them. Ingesting the same files under the \
            same title again stores nothing and prints the existing ID.

            Example:
              kho ingest bai-viet.pdf anh.jpg --title "Quyền con người" --kind article \\
                --lang vi,tyz --unit 00004 --published 2024-12-10 --channel facebook
              find scans -name '*.tif' -print0 | kho ingest --files-from - --null --title … 
            """)

    @OptionGroup var files: FileArguments
    @OptionGroup var metadata: MetadataOptions

    @OptionGroup var jobs: JobsOption

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        var ingest = Ingest(metadata: try metadata.input(), files: [], jobs: jobs.count)
        try ingest.check()
        ingest.files = try files.paths()
        let session = try options.open(progress: TerminalProgress.forTerminal())
        defer { session.archive.close() }
        printPut(try ingest.run(in: session), json: options.json)
    }
}

struct RegisterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Record a product that exists only physically: counted, not yet digitized.",
        discussion: """
            The product counts in the reports' denominator until its digitized master is attached \
            with kho attach. The carrier defaults from the kind: poster, banner → print; photo → photo; \
            radio kinds → audio_tape; tv_report, video_clip, skit → video_tape; others → paper.
            """)

    @OptionGroup var metadata: MetadataOptions

    @Option(name: .long, help: ArgumentHelp("Physical carrier: paper, print, photo, audio_tape, video_tape, film.", valueName: "CARRIER"))
    var carrier: String?

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        var register = Register(metadata: try metadata.input())
        try register.check()
        register.carrier = try parseChoice(carrier, option: "--carrier", code: .unknownCarrier,
                                           expected: "one of \(Carrier.allCases.map(\.rawValue).joined(separator: ", "))", Carrier.parse)
        let session = try options.open()
        defer { session.archive.close() }
        printPut(try register.run(in: session), json: options.json)
    }
}

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

    @OptionGroup var jobs: JobsOption

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let productID = try parseProductID(id)
        let date = try parseOption(digitized, option: "--digitized", CalendarDate.parse)
        let method = try parseChoice(method, option: "--method", code: .unknownMethod, expected: "one of scan, photograph, transfer",
                                     DigitizationMethod.parse)
        let role = try parseChoice(role, option: "--role", code: .unknownRole, expected: "one of master, access, supplement", FileRole.parse) ?? .master
        let paths = try files.paths()
        let session = try options.open(progress: TerminalProgress.forTerminal())
        defer { session.archive.close() }
        let attach = Attach(id: productID, files: paths, role: role, digitizedOn: date, method: method, jobs: jobs.count)
        printPut(try attach.run(in: session), json: options.json)
    }
}

struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Change a product's metadata; the change is recorded in its event log.",
        discussion: """
            Only the options given change. --lang, --channel and --topic replace the whole list. \
            --clear removes a field: produced, published, channels, topics, campaign, description, creator.
            """)

    @Argument(help: "The product ID.")
    var id: String

    @OptionGroup var metadata: MetadataOptions

    @Option(name: .long, help: ArgumentHelp("Field to empty (repeatable).", valueName: "FIELD"))
    var clear: [String] = []

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let productID = try parseProductID(id)
        var fields: [ClearableField] = []
        for name in clear {
            guard let field = ClearableField(rawValue: name) else {
                throw KhoError(.unknownField, "--clear '\(name)': expected one of \(ClearableField.allCases.map(\.rawValue).joined(separator: ", "))",
                               subject: .field("--clear", name))
            }
            fields.append(field)
        }
        let session = try options.open()
        defer { session.archive.close() }
        printPut(try Edit(id: productID, changes: try metadata.input(), clear: fields).run(in: session), json: options.json)
    }
}

struct WithdrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw",
        abstract: "Withdraw a product from circulation: it stays in the archive, and leaves lists, exports and OAI-PMH.",
        discussion: """
            The product keeps its files, metadata and history, and its page still opens by its ID. \
            It no longer appears in the web app's lists and searches or the API's, is left out of \
            exports, and OAI-PMH harvesters receive it as a deleted record from now on. The reason \
            is kept in the product's event log.
            """)

    @Argument(help: "The product ID.")
    var id: String

    @Option(name: .long, help: ArgumentHelp("Why it is withdrawn (kept in its history).", valueName: "TEXT"))
    var reason: String

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let productID = try parseProductID(id)
        let session = try options.open()
        defer { session.archive.close() }
        printPut(try Withdraw(id: productID, reason: reason).run(in: session), json: options.json)
    }
}

/// Prints the result of ingest, register, attach or edit: the ID on stdout, notes on stderr.
func printPut(_ result: PutDocument, json: Bool) {
    if json {
        Console.json(result)
        return
    }
    for warning in result.warnings { Console.warn(warning) }
    for notice in result.notices { Console.note(notice) }
    let p = result.product
    Console.out(p.id)
    guard result.stored else { return }
    if p.files.isEmpty {
        Console.note("\(p.id) '\(p.title)': registered, not yet digitized (\(p.carrier ?? "physical"))")
    } else {
        let bytes = result.bytesStored > 0 ? "\(Formatting.bytes(result.bytesStored)) new" : "no new bytes"
        Console.note("\(p.id) '\(p.title)': \(p.files.count) file(s), \(bytes), digitized: \(p.digitized ? "yes" : "no")")
    }
}
