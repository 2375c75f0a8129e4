// Numbers and dates as Vietnamese write them: 1.234.567; 17,5%; 30/11/2024; sizes in MB.
// On English pages numbers are written 1,234,567 and 1.5 MB; dates stay dd/mm/yyyy (what the
// forms take).
import KhoCore

enum VietnameseFormat {
    static func date(_ d: CalendarDate?) -> String {
        guard let d else { return "—" }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(d.day))/\(two(d.month))/\(d.year)"
    }

    /// `2026-03-02T01:00:00.000Z` as `02/03/2026 08:00` in Vietnam's time (UTC+7).
    static func instant(_ t: Timestamp) -> String {
        guard let seconds = t.epochSeconds else { return t.iso }
        let local = Timestamp(epochSeconds: seconds + 7 * 3600).iso
        guard case .success(let day) = CalendarDate.parse(String(local.prefix(10))) else { return t.iso }
        return "\(date(day)) \(local.dropFirst(11).prefix(5))"
    }

    static func integer(_ n: Int64) -> String {
        let digits = Array(String(n.magnitude))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(Lang.current == .en ? "," : ".") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Bytes in the largest unit that keeps one decimal: 1,5 MB.
    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n), unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        if unit == 0 { return "\(integer(n)) B" }
        let tenths = Int64((value * 10).rounded())
        return "\(integer(tenths / 10))\(Lang.current == .en ? "." : ",")\(tenths % 10) \(units[unit])"
    }
}
