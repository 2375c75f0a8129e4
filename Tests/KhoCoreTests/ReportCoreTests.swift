import Foundation
import Testing
@testable import KhoCore

@Suite struct PeriodTests {
    func d(_ s: String) -> CalendarDate { try! CalendarDate.parse(s).get() }

    @Test func everyFormParsesToInclusiveBounds() throws {
        let cases: [(String, Period.Kind, String, String)] = [
            ("2024", .year, "2024-01-01", "2024-12-31"),
            ("2024-H1", .half, "2024-01-01", "2024-06-30"),
            ("2024-h2", .half, "2024-07-01", "2024-12-31"),
            ("2024-Q1", .quarter, "2024-01-01", "2024-03-31"),
            ("2024-Q4", .quarter, "2024-10-01", "2024-12-31"),
            ("2024-02", .month, "2024-02-01", "2024-02-29"),
            ("2023-02", .month, "2023-02-01", "2023-02-28"),
            ("2024-11-30..2024-12-31", .range, "2024-11-30", "2024-12-31"),
            ("human-rights-day-2024", .campaign, "2024-11-30", "2024-12-31"),
        ]
        for (text, kind, from, to) in cases {
            let p = try Period.parse(text).get()
            #expect(p.kind == kind, "\(text)")
            #expect(p.from == d(from) && p.to == d(to), "\(text)")
            #expect(p.contains(d(from)) && p.contains(d(to)), "bounds of \(text) are inclusive")
            #expect(!p.contains(CalendarDate.fromDaysSince1970(d(to).daysSince1970 + 1)))
        }
    }

    @Test func badPeriodsSayWhatIsExpected() {
        for bad in ["24", "2024-H3", "2024-Q5", "2024-13", "2024-12-31..2024-11-30", "2024-11-30", "soon", "2024-11-30..x"] {
            guard case .failure(let problem) = Period.parse(bad) else { Issue.record("\(bad) parsed"); continue }
            #expect(problem.field == "period")
            #expect(!problem.expected.isEmpty)
        }
    }

    @Test func previousPeriodsAndTrend() throws {
        #expect(try Period.parse("2024-H1").get().previous.label == "2023-H2")
        #expect(try Period.parse("2024-Q1").get().previous.label == "2023-Q4")
        #expect(try Period.parse("2024-01").get().previous.label == "2023-12")
        #expect(try Period.parse("2024").get().trend(count: 3).map(\.label) == ["2022", "2023", "2024"])
        let range = try Period.parse("2024-12-01..2024-12-10").get().previous
        #expect(range.from == d("2024-11-21") && range.to == d("2024-11-30"))
        let campaign = try Period.parse("human-rights-day-2025").get().previous
        #expect(campaign.from == d("2024-11-30") && campaign.to == d("2024-12-31"))
    }

    @Test func subPeriodsCoverThePeriodExactly() throws {
        for text in ["2024", "2024-H2", "2024-Q3", "2024-02", "2024-11-30..2024-12-31"] {
            let p = try Period.parse(text).get()
            let parts = p.subPeriods
            #expect(parts.first?.from == p.from && parts.last?.to == p.to, "\(text)")
            for (a, b) in zip(parts, parts.dropFirst()) { #expect(b.from.daysSince1970 == a.to.daysSince1970 + 1, "\(text)") }
        }
        #expect(try Period.parse("2024").get().subPeriods.count == 12)
        #expect(try Period.parse("2024-02").get().subPeriods.count == 5)   // 4 weeks and 1 day
    }
}

@Suite struct TargetTests {
    @Test func statusAgainstABand() {
        let band = TargetBand(min: 0.15, max: 0.20)
        #expect(band.status(of: 14.0 / 100) == .behind)
        #expect(band.status(of: 3.0 / 20) == .onTarget)      // exactly 15%
        #expect(band.status(of: 1.0 / 5) == .onTarget)       // exactly 20%
        #expect(band.status(of: 21.0 / 100) == .beyond)
        let full = TargetBand(min: 1, max: 1)
        #expect(full.status(of: 999.0 / 1000) == .behind)
        #expect(full.status(of: 1) == .onTarget)
    }

    @Test func anEmptyScopeHasNoShareAndNoStatus() {
        let result = IndicatorResult(key: .digitized, counts: Counts(), targets: .defaults)
        #expect(result.share == nil)
        #expect(result.status == nil)
        #expect(ReportText(.en).percent(nil) == "—")
    }

    @Test func numbersInBothLanguages() {
        #expect(ReportText(.vi).number(1_234_567) == "1.234.567")
        #expect(ReportText(.en).number(1_234_567) == "1,234,567")
        #expect(ReportText(.vi).percent(2.0 / 3) == "66,7%")
        #expect(ReportText(.en).band(TargetBand(min: 0.15, max: 0.2)) == "15–20%")
        #expect(ReportText(.vi).madeAt(Timestamp(iso: "2026-11-22T18:30:00.000Z")) == "23/11/2026 01:30 (UTC+7)")
    }
}

@Suite struct ReportUnitTests {
    let table = UnitTable.standard

    @Test func aCodeInBothTablesFollowsThePeriod() throws {
        let old = try table.reportUnit("51", period: Period.parse("2024").get(), era: nil).get()
        let new = try table.reportUnit("51", period: Period.parse("2025-H2").get(), era: nil).get()
        #expect(old.era == .before2025 && new.era == .from2025)
        #expect(try table.reportUnit("51", period: Period.parse("2024").get(), era: .from2025).get().era == .from2025)
        guard case .failure(let problem) = table.reportUnit("00000", period: Period.year(2024), era: nil) else { Issue.record("found 00000"); return }
        #expect(problem.code == .unknownUnit)
    }

    @Test func todayProvinceOfOldUnits() {
        #expect(table.provinceToday(EraCode("62", .before2025))?.code == "51")      // Kon Tum → Quảng Ngãi
        #expect(table.provinceToday(EraCode("23281", .before2025))?.code == "51")
        #expect(table.provinceToday(EraCode("00004", .from2025))?.code == "01")
        let included = table.reportUnits(for: table.unit("51", era: .from2025)!)
        #expect(included.contains(EraCode("62", .before2025)) && included.contains(EraCode("23281", .before2025)))
        #expect(table.era(ofProductUnit: "23284", produced: nil, published: CalendarDate(year: 2025, month: 6, day: 30)) == .before2025)
        #expect(table.era(ofProductUnit: "23284", produced: nil, published: CalendarDate(year: 2025, month: 7, day: 1)) == .from2025)
    }
}
