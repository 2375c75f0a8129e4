// Calendar dates as the archive records them: YYYY-MM-DD, no time, no zone.

public struct CalendarDate: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1000...9999).contains(year), (1...12).contains(month),
              (1...CalendarDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public var description: String {
        let y = String(year), m = month < 10 ? "0\(month)" : "\(month)", d = day < 10 ? "0\(day)" : "\(day)"
        return "\(y)-\(m)-\(d)"
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Parses `YYYY-MM-DD` exactly; says what is wrong otherwise.
    public static func parse(_ input: String) -> Result<CalendarDate, Problem> {
        // The common case (every date the catalog holds) without building substrings.
        if input.utf8.count == 10, let date = input.utf8.withContiguousStorageIfAvailable(fastParse) ?? nil {
            return .success(date)
        }
        let text = input.trimmingWhitespace()
        func problem(_ expected: String) -> Result<CalendarDate, Problem> {
            .failure(Problem(code: .invalidDate, field: "date", value: text, expected: expected))
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            if text.contains("/") {
                return problem("expected YYYY-MM-DD (e.g. 2024-12-10), not day/month/year")
            }
            return problem("expected a date as YYYY-MM-DD, e.g. 2024-12-10")
        }
        guard (1...12).contains(m) else { return problem("there is no month \(m); expected YYYY-MM-DD") }
        guard (1000...9999).contains(y) else { return problem("year \(y) is out of range") }
        guard let date = CalendarDate(year: y, month: m, day: d) else {
            return problem("\(CalendarDate.monthName(m)) \(y) has \(CalendarDate.daysIn(month: m, year: y)) days; there is no day \(d)")
        }
        return .success(date)
    }

    /// `YYYY-MM-DD` in ten ASCII bytes, a real day of years 1000-9999; nil for anything else
    /// (which the full parser then judges, with its message).
    static func fastParse(_ b: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        guard b[4] == 0x2D, b[7] == 0x2D else { return nil }
        func digit(_ i: Int) -> Int? { b[i] >= 0x30 && b[i] <= 0x39 ? Int(b[i] - 0x30) : nil }
        guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3), let m0 = digit(5), let m1 = digit(6),
              let d0 = digit(8), let d1 = digit(9) else { return nil }
        let y = y0 * 1000 + y1 * 100 + y2 * 10 + y3
        guard y >= 1000 else { return nil }
        return CalendarDate(year: y, month: m0 * 10 + m1, day: d0 * 10 + d1)
    }

    static func monthName(_ m: Int) -> String {
        ["January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"][m - 1]
    }

    /// The date in Vietnam (UTC+7, no daylight saving) at a moment given as seconds since 1970.
    public static func inVietnam(epochSeconds: Double) -> CalendarDate {
        let local = Int((epochSeconds + 7 * 3600).rounded(.down))
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        return fromDaysSince1970(days)
    }

    /// Civil-from-days (Howard Hinnant's algorithm), proleptic Gregorian.
    public static func fromDaysSince1970(_ days: Int) -> CalendarDate {
        let (y, m, d) = civil(fromDays: days)
        return CalendarDate(year: y, month: m, day: d)!
    }

    public var daysSince1970: Int { Self.days(year: year, month: month, day: day) }

    /// Year, month and day of a day counted from 1970-01-01, for any year (no range check).
    public static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Days from 1970-01-01 of a proleptic Gregorian date, for any year (no range check).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
