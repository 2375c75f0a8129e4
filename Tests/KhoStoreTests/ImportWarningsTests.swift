// An import's warnings and row problems: its report keeps the first thousand and counts the
// rest, and every row's own are in its line of the result file, so memory does not grow with
// a manifest whose every row warns or is wrong.
import Foundation
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct ImportWarningsTests {
    /// 1,200 rows dated far ahead (each warns), the last repeating the first's source_id (rejected, and still warned).
    func manifest(_ scratch: Scratch) -> HostPath {
        var lines = ["source_id,title,kind,languages,unit,produced,carrier"]
        for i in 0..<1200 { lines.append("W\(i),Tờ rơi \(i),leaflet,vi,00004,2099-01-01,paper") }
        lines.append("W0,Tờ rơi khác,leaflet,vi,00004,2099-01-01,paper")
        return scratch.hostFile("w.csv", lines.joined(separator: "\n") + "\n")
    }

    static let warning = "; warning: produced: 2099-01-01 is more than a year after today"

    /// A real import and a dry run alike.
    @Test(arguments: [false, true]) func theReportKeepsTheFirstThousandAndTheFileEveryRowsOwn(dryRun: Bool) throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let path = HostPath("\(scratch.path)/w.result.csv")
        let report = try archive.importManifest(manifest(scratch), options: ImportOptions(dryRun: dryRun, report: path, keepResults: false))
        let stored: ImportStatus = dryRun ? .ok : .stored
        #expect(report.warnings.count == KeptWarnings.limit)
        #expect(report.warningsOmitted == 1201 - KeptWarnings.limit)
        #expect(report.warnings.first?.hasPrefix("row 2: produced: 2099-01-01") == true)
        #expect(report.count(stored) == 1200 && report.count(.rejected) == 1)
        let lines = try String(contentsOfFile: path.description, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        #expect(lines.count == 1201)
        #expect(lines.allSatisfy { $0.contains(Self.warning) && !$0.contains("row 2:") })
        let rejected = try #require(lines.last)
        #expect(rejected.hasPrefix("1202,rejected") && rejected.contains("duplicate row"))
    }

    @Test func keptWarningsCountWhatTheyDoNotKeep() {
        var kept = KeptWarnings(["a", "b"])
        kept.add(Array(repeating: "c", count: KeptWarnings.limit))
        #expect(kept.list.count == KeptWarnings.limit && kept.omitted == 2)
        var other = KeptWarnings()
        other.add(kept)
        #expect(other.list.count == KeptWarnings.limit && other.omitted == 2)
        other.add(["d"])
        #expect(other.omitted == 3 && other.list.first == "a")
    }

    @Test func rowProblemsAreKeptTheSameWay() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        var lines = ["source_id,title,kind,languages,unit,produced,carrier"]
        for i in 0..<1200 { lines.append("P\(i),Tờ rơi \(i),bogus,vi,00004,2024-01-01,paper") }
        lines.append("P1200,Tờ rơi 1200,leaflet,vi,00004,2024-01-01,paper")
        let path = HostPath("\(scratch.path)/p.result.csv")
        let report = try archive.importManifest(scratch.hostFile("p.csv", lines.joined(separator: "\n") + "\n"),
                                                options: ImportOptions(report: path, keepResults: false))
        #expect(report.count(.rejected) == 1200 && report.count(.stored) == 1)
        #expect(report.problems.count == Kept<RowProblem>.limit && report.problemsOmitted == 200)
        #expect(report.problems.first?.row == 2 && report.problems.map(\.row) == report.problems.map(\.row).sorted())
        let said = try String(contentsOfFile: path.description, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        #expect(said.filter { $0.contains(",rejected,") && $0.contains("kind: 'bogus'") }.count == 1200)
    }
}
