// The words and number formats of a report, in Vietnamese (the default) or English.

public enum ReportLanguage: String, Sendable, CaseIterable {
    case vi, en
}

public struct ReportText: Sendable {
    public let language: ReportLanguage
    public init(_ language: ReportLanguage) { self.language = language }

    var vi: Bool { language == .vi }

    public func pick(_ vietnamese: String, _ english: String) -> String { vi ? vietnamese : english }

    /// 1.234.567 in Vietnamese, 1,234,567 in English.
    public func number(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(vi ? "." : ",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// 15,2% in Vietnamese, 15.2% in English; a dash when there is nothing to divide by.
    public func percent(_ share: Double?) -> String {
        guard let share else { return "—" }
        let tenths = Int((share * 1000).rounded())
        return "\(tenths / 10)\(vi ? "," : ".")\(tenths % 10)%"
    }

    /// A target: 100%, 15–20%, 12,5–20% (no needless decimals).
    public func band(_ band: TargetBand) -> String {
        func short(_ v: Double) -> String {
            let tenths = Int((v * 1000).rounded())
            return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10)\(vi ? "," : ".")\(tenths % 10)"
        }
        return band.min == band.max ? "\(short(band.min))%" : "\(short(band.min))–\(short(band.max))%"
    }

    /// The indicator's name in a few words, for charts and narrow tables.
    public func shortIndicator(_ key: IndicatorKey) -> String {
        switch key {
        case .digitized: pick("Số hóa", "Digitized")
        case .digitalPlatform: pick("Trên nền tảng số", "On digital platforms")
        case .diversified: pick("Đa dạng hóa (DTTS, nước ngoài, số)", "Diversified (minority, foreign, digital)")
        }
    }

    public func indicator(_ key: IndicatorKey) -> String { vi ? key.vietnamese : key.english }

    public func status(_ status: TargetStatus?) -> String {
        guard let status else { return vi ? "không có sản phẩm" : "no products" }
        return vi ? status.vietnamese : status.english
    }

    public func date(_ d: CalendarDate) -> String {
        guard vi else { return d.description }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(d.day))/\(two(d.month))/\(d.year)"
    }

    public func period(_ p: Period) -> String {
        let dates = "\(date(p.from)) – \(date(p.to))"
        switch p.kind {
        case .year: return vi ? "Năm \(p.from.year)" : "Year \(p.from.year)"
        case .half: return vi ? "6 tháng \(p.from.month == 1 ? "đầu" : "cuối") năm \(p.from.year)" : "\(p.from.month == 1 ? "First" : "Second") half of \(p.from.year)"
        case .quarter: return vi ? "Quý \((p.from.month - 1) / 3 + 1) năm \(p.from.year)" : "Q\((p.from.month - 1) / 3 + 1) \(p.from.year)"
        case .month: return vi ? "Tháng \(p.from.month)/\(p.from.year)" : "\(CalendarDate.monthName(p.from.month)) \(p.from.year)"
        case .range: return dates
        case .campaign: return p.title.map { "\($0) (\(dates))" } ?? dates
        }
    }

    /// A short label for charts and trend rows.
    public func shortPeriod(_ p: Period) -> String {
        switch p.kind {
        case .year, .half, .quarter, .month: return p.label
        case .range, .campaign: return p.from.year == p.to.year && p.from.month == p.to.month && p.from.day == p.to.day
            ? date(p.from) : "\(date(p.from))–\(date(p.to))"
        }
    }

    /// The time a report was made, in Vietnam's time (UTC+7): "22/11/2026 13:05 (UTC+7)".
    public func madeAt(_ t: Timestamp) -> String {
        let iso = Array(t.iso.utf8)
        guard iso.count >= 16, case .success(let day) = CalendarDate.parse(String(decoding: iso[0..<10], as: UTF8.self)),
              let hour = Int(String(decoding: iso[11..<13], as: UTF8.self)), let minute = Int(String(decoding: iso[14..<16], as: UTF8.self)) else {
            return t.iso
        }
        var h = hour + 7
        var d = day
        if h >= 24 { h -= 24; d = CalendarDate.fromDaysSince1970(day.daysSince1970 + 1) }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(date(d)) \(two(h)):\(two(minute)) (UTC+7)"
    }

    public func scopeName(_ scope: ReportScope) -> String {
        guard let unit = scope.unit else { return vi ? "Toàn bộ kho lưu trữ" : "The whole archive" }
        let table = unit.era == .before2025 ? (vi ? "danh mục trước 01/7/2025" : "units before 1 July 2025")
                                             : (vi ? "danh mục từ 01/7/2025" : "units from 1 July 2025")
        return "\(unit.fullName) (\(unit.code), \(table))"
    }

    public func breakdownTitle(_ kind: BreakdownKind) -> String {
        switch kind {
        case .unit: return pick("Theo đơn vị", "By unit")
        case .kind: return pick("Theo loại sản phẩm", "By kind of product")
        case .language: return pick("Theo ngôn ngữ (một sản phẩm nhiều ngôn ngữ được tính ở mỗi dòng)", "By language (a product in several languages counts in each row)")
        case .channel: return pick("Theo kênh đăng phát (một sản phẩm nhiều kênh được tính ở mỗi dòng)", "By channel (a product on several channels counts in each row)")
        case .period: return pick("Theo thời gian", "By period")
        }
    }

    public func carrier(_ c: Carrier?) -> String {
        guard let c else { return "—" }
        return vi ? c.vietnamese : c.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    public var noProducts: String { pick("Không có sản phẩm nào trong phạm vi này.", "No products in this scope.") }
    public var hiddenTitle: String { pick("(hạn chế — tiêu đề không hiển thị)", "(restricted — title not shown)") }
}
