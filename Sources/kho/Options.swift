// Options shared by several commands, and the parsing of option values with the core's parsers.
import ArgumentParser
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform

struct ArchiveOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The archive folder (default: $KHO_STORAGE, else ./Storage).", valueName: "DIR"))
    var storage: String?

    @Flag(name: .long, help: "Print the result as JSON on standard output.")
    var json = false

    /// The folder chosen: --storage, else $KHO_STORAGE, else the default ./Storage.
    var location: ArchiveLocation {
        if let storage { return ArchiveLocation(path: HostPath(storage), isDefault: false) }
        if let env = Settings.current.storage { return ArchiveLocation(path: HostPath(env), isDefault: false) }
        return ArchiveLocation(path: HostPath("Storage"), isDefault: true)
    }

    /// Opens the archive for this user, creating the default one on first use.
    func open(progress: (any ProgressReporter)? = nil) throws(KhoError) -> Session {
        let opened = try location.open(for: Environment.actor, environment: Environment.archive)
        if opened.createdDefault { Console.note("created the default archive at \(location.path)") }
        var session = opened.session
        session.progress = progress
        return session
    }
}

/// What this process hands to everything below it: who acts, the clock, identifiers.
enum Environment {
    /// `kho VERSION (user@host)`, with the user from $KHO_AGENT, else $USER.
    static let actor: Actor = {
        let env = ProcessInfo.processInfo.environment
        let account = getpwuid(getuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } }
        let user = Settings.current.agent ?? env["USER"] ?? env["LOGNAME"] ?? account ?? "uid \(getuid())"
        return Actor(agent: "kho \(KhoVersion.current) (\(user)@\(ProcessInfo.processInfo.hostName))")
    }()

    static var archive: ArchiveEnvironment {
        var environment = ArchiveEnvironment(clock: .system, ids: .system, lockTimeout: Settings.current.lockTimeout)
        environment.s3 = S3Settings.fromEnvironment(ProcessInfo.processInfo.environment)
        return environment
    }
}

/// `--jobs N`: files hashed at once. Parsed unconditionally, so `--jobs -1` is a value to
/// refuse with a reason, not an unknown option.
struct JobsOption: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Files hashed at once (default: all cores).", valueName: "N"))
    var jobs: Int?

    func validate() throws {
        if let jobs, !(1...1024).contains(jobs) { throw ValidationError("--jobs \(jobs): expected a number of at least 1 (and at most 1024)") }
    }

    var count: Int { jobs ?? Parallel.defaultJobs }
}

/// The unit a report or an export covers: a code, and for a code in both tables, which table.
struct ScopeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The unit: 2-digit province, 3-digit district or 5-digit commune code (default: the whole archive).", valueName: "CODE"))
    var unit: String?

    @Option(name: .customLong("unit-table"), help: ArgumentHelp("For a code that names a unit in both tables: before-2025 or from-2025 (default: the table valid at the end of the period).", valueName: "TABLE"))
    var unitTable: String?

    func validate() throws {
        if unitTable != nil && unit == nil { throw ValidationError("--unit-table needs --unit CODE") }
    }

    func era() throws(KhoError) -> AdminUnit.Era? { try parseOption(unitTable, option: "--unit-table", AdminUnit.Era.parse) }
}

/// The descriptive metadata options of ingest, register and edit.
struct MetadataOptions: ParsableArguments {
    @Option(name: .long, help: "Title (required for ingest and register).")
    var title: String?

    @Option(name: .long, help: ArgumentHelp("Kind of product: \(ProductKind.expectedList).", valueName: "KIND"))
    var kind: String?

    @Option(name: [.customLong("lang")], help: ArgumentHelp("Language tag(s), BCP 47 or a known name, comma-separated or repeated: vi, tyz, hmn, blt-Tavt, Tày.", valueName: "L[,L]"))
    var languages: [String] = []

    @Option(name: .long, help: ArgumentHelp("Code of the unit that made it: 2-digit province, 3-digit district or 5-digit commune.", valueName: "CODE"))
    var unit: String?

    @Option(name: .long, help: ArgumentHelp("Production date.", valueName: "YYYY-MM-DD"))
    var produced: String?

    @Option(name: .long, help: ArgumentHelp("First publication date.", valueName: "YYYY-MM-DD"))
    var published: String?

    @Option(name: [.customLong("channel")], help: ArgumentHelp("Publication channel, repeatable: \(Channel.expectedList).", valueName: "C"))
    var channels: [String] = []

    @Option(name: [.customLong("topic")], help: ArgumentHelp("Topic or keyword, repeatable (ICCPR, CEDAW, CRC, … or free words).", valueName: "T"))
    var topics: [String] = []

    @Option(name: .long, help: "Campaign it belongs to.")
    var campaign: String?

    @Option(name: .long, help: "Access level: public (default), internal or restricted.")
    var access: String?

    @Option(name: .long, help: "Description.")
    var description: String?

    @Option(name: .long, help: "Who made it (person or office).")
    var creator: String?

    /// The options as typed, each checked to be UTF-8 (a shell in another encoding, or a
    /// pasted legacy text, would otherwise be stored as U+FFFD).
    func input() throws(KhoError) -> ProductInput {
        let fields: [(String, String?)] = [("title", title), ("kind", kind), ("unit", unit), ("produced", produced), ("published", published),
                                           ("campaign", campaign), ("access", access), ("description", description), ("creator", creator)]
            + languages.map { ("lang", $0) } + channels.map { ("channel", $0) } + topics.map { ("topic", $0) }
        for (name, value) in fields {
            guard let value, let offset = RawArguments.invalidUTF8Offset(value) else { continue }
            throw KhoError(.notUtf8, "--\(name): byte \(offset + 1) is not UTF-8 (text from a file or terminal in another encoding?); retype it, or convert it to UTF-8",
                           subject: .field(name, TextRules.visible(value)))
        }
        return ProductInput(title: title, kind: kind, languages: languages, unit: unit, produced: produced, published: published,
                            channels: channels, topics: topics, campaign: campaign, description: description, creator: creator,
                            access: access)
    }
}

/// Parses an option's value with a core parser; a bad value is an error naming the option.
func parseOption<T>(_ text: String?, option: String, _ parse: (String) -> Result<T, Problem>) throws(KhoError) -> T? {
    guard let text else { return nil }
    switch parse(text) {
    case .success(let value): return value
    case .failure(let problem):
        throw KhoError(problem.code, "\(option) '\(TextRules.visible(problem.value))': \(problem.expected)", subject: .field(option, problem.value), problems: [problem])
    }
}

/// A value from a closed list: `Type.parse(text)`, else an error listing the choices.
func parseChoice<T>(_ text: String?, option: String, code: ErrorCode, expected: String, _ parse: (String) -> T?) throws(KhoError) -> T? {
    try parseOption(text, option: option) { t in
        parse(t).map { .success($0) } ?? .failure(Problem(code: code, field: option, value: t, expected: expected))
    }
}

func parseProductID(_ text: String) throws(KhoError) -> ProductID {
    switch ProductID.parse(text) {
    case .success(let id): return id
    case .failure(let problem): throw KhoError(problem.code, "'\(TextRules.visible(problem.value))' is not a product ID: \(problem.expected)", subject: .field("ID", problem.value))
    }
}
