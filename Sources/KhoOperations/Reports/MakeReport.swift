// The auditors' report: for a scope (a unit and everything under it, a period), the three
// indicators against their targets, a breakdown, the trend and the products still to
// digitize, rendered as a table, CSV, JSON or an HTML page.
import KhoCore
import KhoPlatform
import KhoStore

public enum ReportFormat: String, Sendable, CaseIterable, Codable {
    case table, csv, json, html

    /// From a file name's ending (.html/.htm, .csv, .json, .txt); nil for any other ending.
    public static func from(fileName: String) -> ReportFormat? {
        switch fileName.split(separator: ".").last.map({ $0.lowercased() }) {
        case "html", "htm": .html
        case "csv": .csv
        case "json": .json
        case "txt": .table
        default: nil
        }
    }
}

/// How many products not yet digitized a report lists.
public enum GapLimit: Sendable, Equatable {
    /// 20 in a table, 200 in a page, all in CSV and JSON.
    case byFormat
    case all
    case count(Int)

    /// `all`, or a number (0 for none).
    public static func parse(_ text: String) -> Result<GapLimit, Problem> {
        if text.lowercased() == "all" { return .success(.all) }
        guard let n = Int(text), n >= 0 else { return .failure(Problem(code: .invalidChoice, field: "gaps", value: text, expected: "a number (0 for none) or all")) }
        return .success(.count(n))
    }

    func resolved(for format: ReportFormat) -> Int? {
        switch self {
        case .all: nil
        case .count(let n): n
        case .byFormat: format == .table ? 20 : format == .html ? 200 : nil
        }
    }
}

/// `kho report`.
public struct MakeReport: ArchiveOperation {
    /// nil: the whole archive.
    public var unitCode: String?
    /// For a code in both unit tables; nil: the table valid at the end of the period.
    public var unitEra: AdminUnit.Era?
    /// nil: the current year in Vietnam.
    public var period: Period?
    public var breakdown: BreakdownKind?
    /// Periods the trend shows, this one included (1–24).
    public var trend: Int
    public var gaps: GapLimit
    /// Show the titles of restricted products (the reader is entitled to them).
    public var showRestricted: Bool
    public var format: ReportFormat
    public var language: ReportLanguage
    /// nil: the rendered report is returned in the result.
    public var output: OutputFile?

    public init(unitCode: String? = nil, unitEra: AdminUnit.Era? = nil, period: Period? = nil, breakdown: BreakdownKind? = nil,
                trend: Int = 6, gaps: GapLimit = .byFormat, showRestricted: Bool = false, format: ReportFormat = .table,
                language: ReportLanguage = .vi, output: OutputFile? = nil) {
        self.unitCode = unitCode
        self.unitEra = unitEra
        self.period = period
        self.breakdown = breakdown
        self.trend = trend
        self.gaps = gaps
        self.showRestricted = showRestricted
        self.format = format
        self.language = language
        self.output = output
    }

    /// What can be checked before the archive is opened.
    public func check() throws(KhoError) {
        guard (1...24).contains(trend) else {
            throw KhoError(.invalidChoice, "trend \(trend): expected a number of periods from 1 to 24", subject: .field("trend", String(trend)))
        }
        if unitEra != nil && unitCode == nil {
            throw KhoError(.usage, "a unit table (before-2025 or from-2025) needs a unit code")
        }
    }

    /// The request as the catalog is asked it, with the defaults filled in.
    public func request(clock: Clock) throws(KhoError) -> ReportRequest {
        try check()
        let period = period ?? .year(clock.now().vietnamDate?.year ?? 2025)
        return ReportRequest(unitCode: unitCode, unitEra: unitEra, period: period, breakdown: breakdown, trendCount: trend,
                             gapLimit: gaps.resolved(for: format), showRestricted: showRestricted)
    }

    /// The figures themselves, before rendering: what the web dashboard shows (and renders
    /// with `run` for its downloads), the same code path as `kho report`.
    public func report(in session: Session) throws(KhoError) -> Report {
        try session.archive.report(try request(clock: session.clock))
    }

    /// The same, through `cache`: a report asked again before the catalog's products changed is
    /// not computed again (many auditors opening the country's dashboard cost one computation).
    public func report(in session: Session, cache: ReportCache) throws(KhoError) -> Report {
        let request = try request(clock: session.clock)
        let archive = session.archive
        return try cache.report(request, marker: try archive.changeMarker()) { () throws(KhoError) in try archive.report(request) }
    }

    public func run(in session: Session) throws(KhoError) -> ReportDocument {
        let archive = session.archive
        let report = try report(in: session)
        let minority = archive.config.minorityLanguages.sorted()
        let text: String
        switch format {
        case .table: text = ReportTable.render(report, language: language)
        case .csv: text = ReportCSV.render(report, language: language)
        case .json: text = ReportJSON.render(report, language: language, minorityLanguages: minority)
        case .html: text = ReportHTML.render(report, language: language, minorityLanguages: minority)
        }
        var document = ReportDocument(format: format, text: text, output: nil, products: report.counts.total,
                                      notDigitized: report.gapTotal, fingerprint: report.fingerprint)
        if let output {
            let sink = try output.create(outside: archive.root)
            try sink.write(text)
            try sink.commit()
            document.text = nil
            document.output = output.path.description
        }
        return document
    }
}

/// A rendered report: its text, or the file it was written to.
public struct ReportDocument: Codable, Sendable {
    public var format: ReportFormat
    /// The report in its format, when it was not written to a file.
    public var text: String?
    public var output: String?
    public var products: Int
    public var notDigitized: Int
    /// SHA-256 over every figure the report read: equal fingerprints, equal figures.
    public var fingerprint: String
}

/// `kho report --show-sql`: the statements a report runs, values written in, to check them in
/// the sqlite3 shell.
public struct ReportStatements: ArchiveOperation {
    public var report: MakeReport
    public init(_ report: MakeReport) { self.report = report }

    public func run(in session: Session) throws(KhoError) -> [String] {
        try session.archive.reportSQL(try report.request(clock: session.clock))
    }
}
