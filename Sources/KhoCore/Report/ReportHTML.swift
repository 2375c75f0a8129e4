// The report as one self-contained HTML page: inline CSS and SVG, nothing fetched, laid out
// for A4 paper. Vietnamese unless asked for English.

public enum ReportHTML {
    public static func escape(_ s: String) -> String { Markup.escape(s) }

    static let style = """
        @page { size: A4; margin: 15mm 14mm; }
        * { box-sizing: border-box; }
        body { font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; font-size: 11pt; color: #1b1b1b; max-width: 190mm; margin: 0 auto; padding: 8mm 0; }
        h1 { font-size: 16pt; margin: 0 0 2mm; }
        h2 { font-size: 12.5pt; margin: 7mm 0 2mm; border-bottom: 1px solid #999; padding-bottom: 1mm; break-after: avoid; }
        table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
        th, td { border: 1px solid #bbb; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
        th { background: #eef0f3; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr { break-inside: avoid; }
        thead { display: table-header-group; }
        .meta { font-size: 9.5pt; color: #333; display: grid; grid-template-columns: 44mm 1fr; gap: 0.8mm 2mm; }
        .meta dt { color: #555; }
        .meta dd { margin: 0; overflow-wrap: anywhere; }
        .status-behind { color: #a61b1b; font-weight: bold; }
        .status-on_target { color: #1b6e2e; font-weight: bold; }
        .status-beyond { color: #1f5fa8; font-weight: bold; }
        .empty { font-size: 13pt; padding: 6mm; border: 2px dashed #999; text-align: center; }
        .note { font-size: 9.5pt; color: #444; }
        figure { margin: 2mm 0; break-inside: avoid; }
        svg { width: 100%; height: auto; }
        @media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
        """

    public static func render(_ r: Report, language: ReportLanguage = .vi, minorityLanguages: [String]) -> String {
        let t = ReportText(language)
        var h = "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        h += "<meta name=\"kho-report-fingerprint\" content=\"\(r.fingerprint)\"/>\n"
        h += "<title>\(escape(t.pick("Báo cáo chỉ tiêu", "Target report"))) — \(escape(t.scopeName(r.scope))) — \(escape(r.scope.period.label))</title>\n"
        h += "<style>\n\(style)\n</style>\n</head>\n<body>\n"
        h += "<h1>\(escape(t.pick("Báo cáo chỉ tiêu sản phẩm truyền thông về quyền con người", "Target report: human-rights communication products")))</h1>\n"
        h += "<p><strong>\(escape(t.scopeName(r.scope)))</strong> — \(escape(t.period(r.scope.period)))</p>\n"
        h += "<dl class=\"meta\" id=\"meta\">\n"
        func meta(_ label: String, _ value: String, id: String) { h += "<dt>\(escape(label))</dt><dd id=\"\(id)\">\(escape(value))</dd>\n" }
        meta(t.pick("Lập lúc", "Made"), t.madeAt(r.generatedAt), id: "generated-at")
        meta(t.pick("Kỳ báo cáo", "Period"), "\(r.scope.period.label) (\(t.date(r.scope.period.from)) – \(t.date(r.scope.period.to)))", id: "period")
        meta(t.pick("Số đơn vị tính gộp", "Units taken in"), r.scope.unit == nil ? t.pick("tất cả", "all") : t.number(r.scope.unitsIncluded), id: "units-included")
        meta(t.pick("Chỉ tiêu theo", "Targets from"), r.targets.source, id: "targets-source")
        meta(t.pick("Kênh tính là nền tảng số", "Channels counted as digital"), r.targets.digitalChannels.map(\.rawValue).sorted().joined(separator: ", "), id: "digital-channels")
        meta(t.pick("Ngôn ngữ tính là tiếng DTTS", "Languages counted as minority"), minorityLanguages.sorted().joined(separator: ", "), id: "minority-languages")
        meta(t.pick("Mã kho lưu trữ", "Archive ID"), r.archiveID, id: "archive-id")
        meta(t.pick("Dấu vân tay dữ liệu (SHA-256)", "Data fingerprint (SHA-256)"), r.fingerprint, id: "fingerprint")
        h += "</dl>\n"
        h += "<p class=\"note\">\(escape(t.pick("Phạm vi: sản phẩm có ngày tham chiếu (ngày phát hành lần đầu, nếu không có thì ngày sản xuất) trong kỳ, theo ngày ở Việt Nam, tính cả hai ngày đầu và cuối; của đơn vị và các đơn vị trực thuộc. Mỗi sản phẩm được tính một lần.", "Scope: products whose reference date (first publication, else production) falls in the period, inclusive dates in Vietnam, made by the unit or any unit under it. Each product counts once.")))</p>\n"
        for note in r.notes { h += "<p class=\"note\">\(escape(note.text(language)))</p>\n" }
        guard !r.isEmpty else {
            h += "<p class=\"empty\" id=\"empty\">\(escape(t.noProducts))</p>\n"
            if r.undated > 0 { h += "<p class=\"note\">\(escape(ReportTable.undatedLine(r, t)))</p>\n" }
            return h + "</body>\n</html>\n"
        }
        h += "<h2>\(escape(t.pick("Chỉ tiêu", "Indicators")))</h2>\n"
        h += "<p>\(escape(t.pick("Tổng số sản phẩm", "Products"))): <strong id=\"total\">\(escape(t.number(r.counts.total)))</strong></p>\n"
        h += "<table id=\"indicators\"><thead><tr><th>\(escape(t.pick("Chỉ tiêu", "Indicator")))</th><th>\(escape(t.pick("Số lượng", "Count")))</th><th>\(escape(t.pick("Tỷ lệ", "Share")))</th><th>\(escape(t.pick("Mục tiêu", "Target")))</th><th>\(escape(t.pick("Đánh giá", "Status")))</th></tr></thead><tbody>\n"
        for i in r.indicators {
            h += "<tr data-key=\"\(i.key.rawValue)\"><td>\(escape(t.indicator(i.key)))</td><td class=\"n\">\(escape(t.number(i.count)))</td><td class=\"n\">\(escape(t.percent(i.share)))</td><td class=\"n\">\(escape(t.band(i.target)))</td><td class=\"status-\(i.status?.rawValue ?? "none")\">\(escape(t.status(i.status)))</td></tr>\n"
        }
        h += "</tbody></table>\n<figure id=\"chart-indicators\">\(ReportSVG.indicators(r, t))</figure>\n"
        if let kind = r.breakdownKind {
            h += "<h2>\(escape(t.breakdownTitle(kind)))</h2>\n"
            if !r.breakdown.isEmpty { h += "<figure id=\"chart-breakdown\">\(ReportSVG.breakdown(r, t))</figure>\n" }
            h += countTable(id: "breakdown", first: "", rows: r.breakdown.map { (language == .en ? $0.labelEnglish : $0.label, $0.key, $0.counts) }, t)
        }
        h += "<h2>\(escape(t.pick("Xu hướng qua các kỳ", "Trend over the periods before")))</h2>\n"
        h += "<figure id=\"chart-trend\">\(ReportSVG.trend(r, t))</figure>\n"
        h += countTable(id: "trend", first: t.pick("Kỳ", "Period"), rows: r.trend.map { (t.shortPeriod($0.period), $0.period.label, $0.counts) }, t)
        h += "<h2>\(escape(t.pick("Sản phẩm chưa số hóa", "Products not yet digitized"))) (<span id=\"gap-total\">\(escape(t.number(r.gapTotal)))</span>)</h2>\n"
        if !r.gaps.isEmpty {
            h += "<table id=\"gaps\"><thead><tr><th>ID</th><th>\(escape(t.pick("Tiêu đề", "Title")))</th><th>\(escape(t.pick("Đơn vị", "Unit")))</th><th>\(escape(t.pick("Vật mang tin", "Carrier")))</th><th>\(escape(t.pick("Ngày", "Date")))</th></tr></thead><tbody>\n"
            for g in r.gaps {
                h += "<tr><td>\(g.id?.description ?? "")</td><td>\(escape(g.title ?? t.hiddenTitle))</td><td>\(escape("\(g.unit) \(g.unitName)"))</td><td>\(escape(t.carrier(g.carrier)))</td><td>\(escape(g.referenceDate.map(t.date) ?? ""))</td></tr>\n"
            }
            h += "</tbody></table>\n"
            if r.gaps.count < r.gapTotal {
                h += "<p class=\"note\">\(escape(t.pick("… và \(t.number(r.gapTotal - r.gaps.count)) sản phẩm nữa không liệt kê ở đây (xuất đủ danh sách: --gaps all).", "… and \(t.number(r.gapTotal - r.gaps.count)) more not listed here (the whole list: --gaps all).")))</p>\n"
            }
        }
        if r.undated > 0 { h += "<p class=\"note\">\(escape(ReportTable.undatedLine(r, t)))</p>\n" }
        return h + "</body>\n</html>\n"
    }

    static func countTable(id: String, first: String, rows: [(label: String, key: String, counts: Counts)], _ t: ReportText) -> String {
        var h = "<table id=\"\(id)\"><thead><tr><th>\(escape(first))</th><th>\(escape(t.pick("Tổng", "Total")))</th>"
        for key in IndicatorKey.allCases { h += "<th>\(escape(t.shortIndicator(key).components(separatedBy: " (")[0]))</th>" }
        h += "</tr></thead><tbody>\n"
        for row in rows {
            h += "<tr data-key=\"\(escape(row.key))\"><td>\(escape(row.label))</td><td class=\"n\">\(escape(t.number(row.counts.total)))</td>"
            for key in IndicatorKey.allCases {
                h += "<td class=\"n\">\(escape(t.number(row.counts.count(key)))) (\(escape(t.percent(row.counts.share(key)))))</td>"
            }
            h += "</tr>\n"
        }
        return h + "</tbody></table>\n"
    }
}
