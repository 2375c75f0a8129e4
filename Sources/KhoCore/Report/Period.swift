// Reporting periods as auditors name them: a year (2024), a half (2024-H2), a quarter
// (2024-Q4), a month (2024-11), a date range (2024-11-30..2024-12-31) or a named campaign.
// Bounds are inclusive calendar dates in Vietnam.
import Foundation

public struct Period: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable { case year, half, quarter, month, range, campaign }

    public var kind: Kind
    public var from: CalendarDate
    public var to: CalendarDate
    /// How the period was named: "2024-H2", "nhan-quyen-2024".
    public var label: String
    /// A campaign's full name, if it has one.
    public var title: String?

    public var description: String { label }

    public init(kind: Kind, from: CalendarDate, to: CalendarDate, label: String, title: String? = nil) {
        self.kind = kind
        self.from = from
        self.to = to
        self.label = label
        self.title = title
    }

    public func contains(_ date: CalendarDate) -> Bool { from <= date && date <= to }
    public var days: Int { to.daysSince1970 - from.daysSince1970 + 1 }

    /// A named campaign: the dates and the name staff use for it.
    public struct Campaign: Sendable, Equatable {
        public var key: String
        public var name: String
        public var from: CalendarDate
        public var to: CalendarDate

        public init(key: String, name: String, from: CalendarDate, to: CalendarDate) {
            self.key = key
            self.name = name
            self.from = from
            self.to = to
        }
    }

    /// Campaigns every archive knows: the month around Human Rights Day (10 December),
    /// 30 November to 31 December, for each year of the scheme.
    public static let builtInCampaigns: [Campaign] = (2023...2028).map { year in
        Campaign(key: "human-rights-day-\(year)", name: "Tháng hành động vì quyền con người \(year) (30/11–31/12)",
                 from: CalendarDate(year: year, month: 11, day: 30)!, to: CalendarDate(year: year, month: 12, day: 31)!)
    }

    public static func parse(_ input: String, campaigns: [Campaign] = builtInCampaigns) -> Result<Period, Problem> {
        let text = input.trimmingWhitespace()
        func fail(_ expected: String) -> Result<Period, Problem> {
            .failure(Problem(code: .invalidPeriod, field: "period", value: text, expected: expected))
        }
        let forms = "a year (2024), half (2024-H2), quarter (2024-Q4), month (2024-11), range (2024-11-30..2024-12-31) or campaign (\(campaigns.map(\.key).prefix(3).joined(separator: ", "))…)"
        if let campaign = campaigns.first(where: { $0.key.lowercased() == text.lowercased() }) {
            return .success(Period(kind: .campaign, from: campaign.from, to: campaign.to, label: campaign.key, title: campaign.name))
        }
        if text.contains("..") {
            let parts = text.components(separatedBy: "..")
            guard parts.count == 2 else { return fail(forms) }
            guard case .success(let a) = CalendarDate.parse(parts[0]) else { return fail("'\(parts[0])' is not a date: expected YYYY-MM-DD..YYYY-MM-DD") }
            guard case .success(let b) = CalendarDate.parse(parts[1]) else { return fail("'\(parts[1])' is not a date: expected YYYY-MM-DD..YYYY-MM-DD") }
            guard a <= b else { return fail("the range ends (\(b)) before it starts (\(a))") }
            return .success(Period(kind: .range, from: a, to: b, label: "\(a)..\(b)"))
        }
        let parts = text.uppercased().split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, first.count == 4, let year = Int(first), (1900...2200).contains(year) else { return fail(forms) }
        if parts.count == 1 { return .success(Period.year(year)) }
        guard parts.count == 2 else {
            if parts.count == 3 { return fail("\(text) is a day; a period of one day is written \(text)..\(text)") }
            return fail(forms)
        }
        let second = parts[1]
        if second.hasPrefix("H"), let h = Int(second.dropFirst()), (1...2).contains(h) { return .success(Period.half(year, h)) }
        if second.hasPrefix("Q"), let q = Int(second.dropFirst()), (1...4).contains(q) { return .success(Period.quarter(year, q)) }
        if second.count == 2, let m = Int(second), (1...12).contains(m) { return .success(Period.month(year, m)) }
        return fail(forms)
    }

    public static func year(_ y: Int) -> Period {
        Period(kind: .year, from: CalendarDate(year: y, month: 1, day: 1)!, to: CalendarDate(year: y, month: 12, day: 31)!, label: "\(y)")
    }

    public static func half(_ y: Int, _ h: Int) -> Period {
        Period(kind: .half, from: CalendarDate(year: y, month: h == 1 ? 1 : 7, day: 1)!,
               to: CalendarDate(year: y, month: h == 1 ? 6 : 12, day: h == 1 ? 30 : 31)!, label: "\(y)-H\(h)")
    }

    public static func quarter(_ y: Int, _ q: Int) -> Period {
        let startMonth = (q - 1) * 3 + 1
        let endMonth = startMonth + 2
        return Period(kind: .quarter, from: CalendarDate(year: y, month: startMonth, day: 1)!,
                      to: CalendarDate(year: y, month: endMonth, day: CalendarDate.daysIn(month: endMonth, year: y))!, label: "\(y)-Q\(q)")
    }

    public static func month(_ y: Int, _ m: Int) -> Period {
        Period(kind: .month, from: CalendarDate(year: y, month: m, day: 1)!,
               to: CalendarDate(year: y, month: m, day: CalendarDate.daysIn(month: m, year: y))!,
               label: "\(y)-\(m < 10 ? "0" : "")\(m)")
    }

    /// The period of the same kind just before this one: 2024-H1 before 2024-H2, 2023 before
    /// 2024; a campaign's dates a year before; for a range, the range of the same length
    /// ending the day before.
    public var previous: Period {
        switch kind {
        case .year: return .year(from.year - 1)
        case .half: return from.month == 1 ? .half(from.year - 1, 2) : .half(from.year, 1)
        case .quarter:
            let q = (from.month - 1) / 3 + 1
            return q == 1 ? .quarter(from.year - 1, 4) : .quarter(from.year, q - 1)
        case .month: return from.month == 1 ? .month(from.year - 1, 12) : .month(from.year, from.month - 1)
        case .campaign:
            // Campaigns come back every year: compare with the same dates a year before.
            let a = CalendarDate(year: from.year - 1, month: from.month, day: min(from.day, CalendarDate.daysIn(month: from.month, year: from.year - 1)))!
            let b = CalendarDate(year: to.year - 1, month: to.month, day: min(to.day, CalendarDate.daysIn(month: to.month, year: to.year - 1)))!
            return Period(kind: .campaign, from: a, to: b, label: "\(a)..\(b)")
        case .range:
            let end = CalendarDate.fromDaysSince1970(from.daysSince1970 - 1)
            let start = CalendarDate.fromDaysSince1970(end.daysSince1970 - days + 1)
            return Period(kind: .range, from: start, to: end, label: "\(start)..\(end)")
        }
    }

    /// This period and the `count - 1` before it, oldest first.
    public func trend(count: Int) -> [Period] {
        var out = [self]
        while out.count < count { out.insert(out[0].previous, at: 0) }
        return out
    }

    /// The natural sub-periods for a breakdown by period: months of a year, half or quarter;
    /// weeks (7 days from the first day, the last one shorter) of a month, range or campaign.
    public var subPeriods: [Period] {
        switch kind {
        case .year, .half, .quarter:
            var out: [Period] = []
            var m = Period.month(from.year, from.month)
            while m.from <= to {
                out.append(m)
                m = m.to.month == 12 ? .month(m.to.year + 1, 1) : .month(m.to.year, m.to.month + 1)
            }
            return out
        case .month, .range, .campaign:
            var out: [Period] = []
            var start = from.daysSince1970
            while start <= to.daysSince1970 {
                let end = min(start + 6, to.daysSince1970)
                let a = CalendarDate.fromDaysSince1970(start), b = CalendarDate.fromDaysSince1970(end)
                out.append(Period(kind: .range, from: a, to: b, label: "\(a)..\(b)"))
                start = end + 1
            }
            return out
        }
    }
}
