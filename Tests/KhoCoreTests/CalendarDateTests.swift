import Testing
@testable import KhoCore

@Suite struct CalendarDateTests {
    @Test func validDatesParse() throws {
        #expect(try CalendarDate.parse("2024-12-10").get().description == "2024-12-10")
        #expect(try CalendarDate.parse("2024-02-29").get().day == 29)
        #expect(try CalendarDate.parse(" 2000-02-29 ").get().month == 2)
    }

    @Test(arguments: [
        ("2023-02-29", "February 2023 has 28 days"), ("2024-04-31", "April 2024 has 30 days"),
        ("2024-13-01", "no month 13"), ("10/12/2024", "not day/month/year"), ("2024-1-5", "YYYY-MM-DD"),
        ("hôm qua", "YYYY-MM-DD"), ("1900-02-29", "28 days"), ("０２０２-01-01", "YYYY-MM-DD"),
    ])
    func impossibleDatesSayWhy(text: String, reason: String) {
        guard case .failure(let problem) = CalendarDate.parse(text) else { Issue.record("accepted \(text)"); return }
        #expect(problem.expected.contains(reason), "\(problem.expected)")
    }

    @Test func daysRoundTrip() {
        for days in stride(from: -300_000, through: 2_000_000, by: 997) {
            #expect(CalendarDate.fromDaysSince1970(days).daysSince1970 == days)
        }
        #expect(CalendarDate.fromDaysSince1970(0).description == "1970-01-01")
        #expect(CalendarDate.fromDaysSince1970(19_723).description == "2024-01-01")
    }

    @Test func vietnamIsSevenHoursAhead() {
        // 2024-12-31T16:59:59Z is still 31 December in Hà Nội; 17:00Z is New Year.
        #expect(CalendarDate.inVietnam(epochSeconds: 1_735_664_399).description == "2024-12-31")
        #expect(CalendarDate.inVietnam(epochSeconds: 1_735_664_400).description == "2025-01-01")
        #expect(Timestamp(epochSeconds: 1_735_664_400).vietnamDate?.description == "2025-01-01")
        #expect(Timestamp(epochSeconds: 1_735_664_399).vietnamDate?.description == "2024-12-31")
    }

    @Test func timestampsAreISO8601UTC() {
        #expect(Timestamp(epochSeconds: 0).iso == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(epochSeconds: 1_735_664_400.25).iso == "2024-12-31T17:00:00.250Z")
    }
}

@Suite struct UnitCodeTests {
    @Test(arguments: [("01", UnitCode.Level.province), ("001", .district), ("00004", .commune)])
    func levelsFollowTheLength(code: String, level: UnitCode.Level) throws {
        #expect(try UnitCode.parse(code).get().level == level)
    }

    @Test(arguments: ["1", "0004", "ab", "000004", "", "Hà Nội"])
    func malformedCodesAreRejected(code: String) {
        guard case .failure(let problem) = UnitCode.parse(code) else { Issue.record("accepted \(code)"); return }
        #expect(problem.code == .invalidUnitCode)
    }

    @Test func droppedLeadingZeroGetsAHint() {
        guard case .failure(let problem) = UnitCode.parse("4") else { Issue.record("accepted"); return }
        #expect(problem.expected.contains("leading zeros"))
    }
}
