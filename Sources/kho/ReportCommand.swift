// report and targets: parse, call the operation, print or note where the report went.
import ArgumentParser
import KhoCore
import KhoOperations
import KhoPlatform

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Target report: digitized, digital-platform and diversified shares against their targets.",
        discussion: """
            The scope is the products of a unit and every unit under it whose reference date (first \
            publication, else production) falls in the period; bounds are inclusive dates in Vietnam. \
            A report on a province or commune of today (from 1 July 2025) includes the products of the \
            old units merged into it; a report on an old unit works for the periods it existed.

            Periods: 2024, 2024-H2, 2024-Q4, 2024-11, 2024-11-30..2024-12-31, or a campaign \
            (human-rights-day-2024 = 30 Nov–31 Dec 2024, or one named in kho-config.json). \
            Default: the current year.

            Targets default to the scheme's (digitized 100%, digital platform 15–20%, diversified \
            15–20%); an archive sets its own in kho-config.json ("targets"). The report states the \
            numbers and definitions it used, when it was made and a fingerprint of the data it read: \
            two reports with the same fingerprint were made from the same figures.

            Titles of restricted products are left out of the list of products not yet digitized \
            unless --show-restricted is given; they always count in the figures.
            """)

    @OptionGroup var scope: ScopeOptions

    @Option(name: .long, help: ArgumentHelp("The period (default: the current year in Vietnam).", valueName: "PERIOD"))
    var period: String?

    @Option(name: .long, help: ArgumentHelp("Break the figures down by unit, kind, language, channel or period.", valueName: "BY"))
    var by: String?

    @Option(name: .long, help: ArgumentHelp("table, csv, json or html (default: from the -o file's extension, else table).", valueName: "FORMAT"))
    var format: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to this file (it appears only when complete).", valueName: "FILE"))
    var output: String?

    @Flag(name: .long, help: "Replace the -o file if it exists.")
    var force = false

    @Option(name: .long, help: ArgumentHelp("vi (default) or en: the language of the table and the page, and of labels in csv and json.", valueName: "LANG"))
    var lang: String?

    @Option(name: .long, help: ArgumentHelp("How many products not yet digitized to list: a number or all (default: 20 in a table, 200 in a page, all in csv and json).", valueName: "N"))
    var gaps: String?

    @Option(name: .long, help: ArgumentHelp("How many periods the trend shows, this one included (1–24).", valueName: "N"))
    var trend: Int = 6

    @Flag(name: .customLong("show-restricted"), help: "Show the titles of restricted products (only for readers entitled to see them; the report says they are shown).")
    var showRestricted = false

    @Flag(name: .customLong("show-sql"), help: "Print the SQL the report runs, values written in (to check it in the sqlite3 shell), instead of the report.")
    var showSQL = false

    @OptionGroup var options: ArchiveOptions

    func validate() throws {
        if let format, options.json, format.lowercased() != "json" {
            throw ValidationError("--json and --format \(format) disagree; give one of them")
        }
    }

    func run() throws {
        let format = try chosenFormat()
        Console.jsonMode = format == .json && output == nil
        var report = MakeReport(unitCode: scope.unit, trend: trend, showRestricted: showRestricted, format: format)
        report.language = try parseChoice(lang, option: "--lang", code: .invalidChoice, expected: "vi or en") { ReportLanguage(rawValue: $0.lowercased()) } ?? .vi
        report.breakdown = try parseChoice(by, option: "--by", code: .invalidChoice, expected: "one of unit, kind, language, channel, period") {
            BreakdownKind(rawValue: $0.lowercased())
        }
        report.unitEra = try scope.era()
        report.gaps = try parseOption(gaps, option: "--gaps", GapLimit.parse) ?? .byFormat
        report.output = output.map { OutputFile(path: HostPath($0), replace: force) }
        try report.check()
        let session = try options.open()
        defer { session.archive.close() }
        report.period = try parseOption(period, option: "--period") { Period.parse($0, campaigns: session.archive.config.campaigns) }
        if showSQL {
            Console.out(try ReportStatements(report).run(in: session).joined(separator: "\n"))
            return
        }
        let result = try report.run(in: session)
        if let text = result.text { try FileOutput.standardOutput().write(text) }
        if let written = result.output {
            let what = result.products == 0 ? "no products in this scope" : "\(result.products) product(s), \(result.notDigitized) not yet digitized"
            Console.note("wrote the \(format.rawValue) report to \(written) (\(what); fingerprint \(result.fingerprint.prefix(16))…)")
        }
    }

    func chosenFormat() throws(KhoError) -> ReportFormat {
        if let format {
            guard let chosen = ReportFormat(rawValue: format.lowercased()) else {
                throw KhoError(.invalidChoice, "--format '\(format)': expected table, csv, json or html", subject: .field("--format", format))
            }
            return chosen
        }
        if options.json { return .json }
        if let output, output.contains(".") {
            guard let chosen = ReportFormat.from(fileName: output) else {
                throw KhoError(.invalidChoice, "-o \(output): say which format with --format table, csv, json or html", subject: .field("-o", output))
            }
            return chosen
        }
        return .table
    }
}

struct TargetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "The targets and definitions reports use, and the campaigns they know.",
        discussion: """
            The scheme's targets (digitized 100%, digital platform 15–20%, diversified 15–20%) apply \
            unless the archive's kho-config.json sets its own ("targets"). With --json the output is \
            in the shape of kho-config.json: save it there and change the numbers or the digital \
            channels to set a province's own plan.
            """)

    @OptionGroup var options: ArchiveOptions

    func run() throws {
        Console.jsonMode = options.json
        let session = try options.open()
        defer { session.archive.close() }
        let targets = try ShowTargets().run(in: session)
        if options.json {
            Console.json(targets.config)
            return
        }
        let t = ReportText(.en)
        let indicators = targets.config.targets
        Console.out("Targets from: \(targets.source)")
        for (key, band) in [(IndicatorKey.digitized, indicators.digitized), (.digitalPlatform, indicators.digitalPlatform), (.diversified, indicators.diversified)] {
            Console.out("  \(key.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)) \(t.band(TargetBand(min: band.min, max: band.max)).padding(toLength: 8, withPad: " ", startingAt: 0)) \(key.english)")
        }
        Console.out("Digital channels: \((indicators.digitalPlatform.channels ?? []).joined(separator: ", "))")
        Console.out("Minority languages: \(targets.config.minorityLanguages.joined(separator: ", "))")
        Console.out("Campaigns (for --period):")
        for c in targets.allCampaigns { Console.out("  \(c.key)  \(c.campaign.from)..\(c.campaign.to)  \(c.campaign.name)") }
    }
}
