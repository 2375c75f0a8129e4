import ArgumentParser
import Foundation
import KhoCore
import KhoStore

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

    @Option(name: .long, help: ArgumentHelp("The unit: 2-digit province, 3-digit district or 5-digit commune code (default: the whole archive).", valueName: "CODE"))
    var unit: String?

    @Option(name: .customLong("unit-table"), help: ArgumentHelp("For a code that names a unit in both tables: before-2025 or from-2025 (default: the table valid at the end of the period).", valueName: "TABLE"))
    var unitTable: String?

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

    enum Format: String { case table, csv, json, html }

    func run() throws {
        let format = try chosenFormat()
        Console.jsonMode = format == .json && output == nil
        let language = try parseOption(lang, option: "--lang") { t in
            ReportLanguage(rawValue: t.lowercased()).map { .success($0) }
                ?? .failure(Problem(code: "invalid_choice", field: "lang", value: t, expected: "vi or en"))
        } ?? .vi
        let breakdown = try parseOption(by, option: "--by") { t in
            BreakdownKind(rawValue: t.lowercased()).map { .success($0) }
                ?? .failure(Problem(code: "invalid_choice", field: "by", value: t, expected: "one of unit, kind, language, channel, period"))
        }
        let era = try parseOption(unitTable, option: "--unit-table", parseUnitTable)
        guard (1...24).contains(trend) else { throw KhoError("invalid_choice", "--trend \(trend): expected a number of periods from 1 to 24") }
        let gapLimit: Int? = try parseOption(gaps, option: "--gaps") { t in
            if t.lowercased() == "all" { return .success(-1) }
            guard let n = Int(t), n >= 0 else { return .failure(Problem(code: "invalid_choice", field: "gaps", value: t, expected: "a number (0 for none) or all")) }
            return .success(n)
        }.map { $0 < 0 ? nil : $0 } ?? (format == .table ? 20 : format == .html ? 200 : nil)
        if let unitTable, unit == nil { throw KhoError("invalid_choice", "--unit-table \(unitTable) needs --unit CODE") }

        let archive = try options.openArchive()
        defer { archive.close() }
        let chosenPeriod: Period
        if let period {
            chosenPeriod = try parseOption(period, option: "--period") { Period.parse($0, campaigns: archive.config.campaigns) }!
        } else {
            chosenPeriod = .year(CalendarDate.inVietnam(epochSeconds: Date().timeIntervalSince1970).year)
        }
        let request = ReportRequest(unitCode: unit, unitEra: era, period: chosenPeriod, breakdown: breakdown, trendCount: trend,
                                    gapLimit: gapLimit, showRestricted: showRestricted)
        if showSQL {
            Console.out(try archive.reportSQL(request).joined(separator: "\n"))
            return
        }
        let report = try archive.report(request)
        let minority = archive.config.minorityLanguages.sorted()
        let text: String
        switch format {
        case .table: text = ReportTable.render(report, language: language)
        case .csv: text = ReportCSV.render(report, language: language)
        case .json: text = ReportJSON.render(report, language: language, minorityLanguages: minority)
        case .html: text = ReportHTML.render(report, language: language, minorityLanguages: minority)
        }
        try write(text)
        if let output {
            let what = report.isEmpty ? "no products in this scope" : "\(report.counts.total) product(s), \(report.gapTotal) not yet digitized"
            Console.note("wrote the \(format.rawValue) report to \(output) (\(what); fingerprint \(report.fingerprint.prefix(16))…)")
        }
    }

    func chosenFormat() throws(KhoError) -> Format {
        if let format {
            guard let chosen = Format(rawValue: format.lowercased()) else {
                throw KhoError("invalid_choice", "--format '\(format)': expected table, csv, json or html")
            }
            if options.json && chosen != .json { throw KhoError("invalid_choice", "--json and --format \(format) disagree; give one of them") }
            return chosen
        }
        if options.json { return .json }
        if let output, let ext = output.split(separator: ".").last.map({ $0.lowercased() }), output.contains(".") {
            switch ext {
            case "html", "htm": return .html
            case "csv": return .csv
            case "json": return .json
            case "txt": return .table
            default: throw KhoError("invalid_choice", "-o \(output): say which format with --format table, csv, json or html")
            }
        }
        return .table
    }

    func write(_ text: String) throws(KhoError) {
        let sink: FileOutput
        if let output { sink = try FileOutput.create(at: HostPath(output), overwrite: force) } else { sink = FileOutput.standardOutput() }
        var failure: KhoError?
        Array(text.utf8).withUnsafeBytes { buffer in
            do throws(KhoError) { try sink.write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        try sink.commit()
    }
}
