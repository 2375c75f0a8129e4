// The report's charts as inline SVG: no script, no fonts or images from outside, so the page
// renders the same offline and on paper.

enum ReportSVG {
    static let colors: [IndicatorKey: String] = [.digitized: "#1f5fa8", .digitalPlatform: "#2e8b57", .diversified: "#b5651d"]

    static func escape(_ s: String) -> String { ReportHTML.escape(s) }

    static func num(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// One bar per indicator on a 0–100% scale, the target band shaded behind it.
    static func indicators(_ r: Report, _ t: ReportText) -> String {
        let width = 680.0, left = 250.0, barWidth = width - left - 70, rowHeight = 46.0
        let height = rowHeight * Double(r.indicators.count) + 30
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(num(width)) \(num(height))\" role=\"img\" aria-label=\"\(escape(t.pick("Chỉ tiêu so với mục tiêu", "Indicators against their targets")))\">"
        for (i, ind) in r.indicators.enumerated() {
            let y = Double(i) * rowHeight + 8
            let bandX = left + ind.target.min * barWidth, bandW = max(2, (ind.target.max - ind.target.min) * barWidth)
            s += "<text x=\"0\" y=\"\(num(y + 17))\" font-size=\"12\">\(escape(t.shortIndicator(ind.key)))</text>"
            s += "<rect x=\"\(num(left))\" y=\"\(num(y))\" width=\"\(num(barWidth))\" height=\"24\" fill=\"#eef0f3\"/>"
            s += "<rect class=\"band\" x=\"\(num(bandX))\" y=\"\(num(y - 3))\" width=\"\(num(bandW))\" height=\"30\" fill=\"#f4d35e\" fill-opacity=\"0.55\"/>"
            if let share = ind.share {
                s += "<rect class=\"bar\" data-key=\"\(ind.key.rawValue)\" x=\"\(num(left))\" y=\"\(num(y + 4))\" width=\"\(num(share * barWidth))\" height=\"16\" fill=\"\(colors[ind.key]!)\"/>"
                s += "<text x=\"\(num(left + barWidth + 6))\" y=\"\(num(y + 17))\" font-size=\"12\" font-weight=\"bold\">\(escape(t.percent(share)))</text>"
            } else {
                s += "<text x=\"\(num(left + 6))\" y=\"\(num(y + 17))\" font-size=\"12\">\(escape(t.pick("không có sản phẩm", "no products")))</text>"
            }
            s += "<text x=\"\(num(bandX))\" y=\"\(num(y + 38))\" font-size=\"10\" fill=\"#555\">\(escape(t.pick("mục tiêu", "target"))) \(escape(t.band(ind.target)))</text>"
        }
        for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
            s += "<text x=\"\(num(left + tick * barWidth))\" y=\"\(num(height - 2))\" font-size=\"9\" fill=\"#777\" text-anchor=\"middle\">\(Int(tick * 100))%</text>"
        }
        return s + "</svg>"
    }

    /// The three shares over the trend's periods, with the 15–20% bands shaded.
    static func trend(_ r: Report, _ t: ReportText) -> String {
        let width = 680.0, height = 240.0, left = 40.0, right = 140.0, top = 10.0, bottom = 40.0
        let plotW = width - left - right, plotH = height - top - bottom
        let n = r.trend.count
        func x(_ i: Int) -> Double { n <= 1 ? left + plotW / 2 : left + Double(i) * plotW / Double(n - 1) }
        func y(_ share: Double) -> Double { top + (1 - share) * plotH }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(num(width)) \(num(height))\" role=\"img\" aria-label=\"\(escape(t.pick("Xu hướng", "Trend")))\">"
        let band = r.targets.digitalPlatform
        s += "<rect x=\"\(num(left))\" y=\"\(num(y(band.max)))\" width=\"\(num(plotW))\" height=\"\(num(max(1, (band.max - band.min) * plotH)))\" fill=\"#f4d35e\" fill-opacity=\"0.45\"/>"
        for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
            s += "<line x1=\"\(num(left))\" x2=\"\(num(left + plotW))\" y1=\"\(num(y(tick)))\" y2=\"\(num(y(tick)))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(num(left - 4))\" y=\"\(num(y(tick) + 3))\" font-size=\"9\" text-anchor=\"end\" fill=\"#777\">\(Int(tick * 100))%</text>"
        }
        for (i, point) in r.trend.enumerated() {
            s += "<text x=\"\(num(x(i)))\" y=\"\(num(height - bottom + 14))\" font-size=\"9\" text-anchor=\"middle\">\(escape(t.shortPeriod(point.period)))</text>"
            s += "<text x=\"\(num(x(i)))\" y=\"\(num(height - bottom + 26))\" font-size=\"8\" text-anchor=\"middle\" fill=\"#777\">n=\(escape(t.number(point.counts.total)))</text>"
        }
        for (k, key) in IndicatorKey.allCases.enumerated() {
            let points = r.trend.enumerated().compactMap { i, p in p.counts.share(key).map { "\(num(x(i))),\(num(y($0)))" } }
            if points.count > 1 {
                s += "<polyline class=\"trend\" data-key=\"\(key.rawValue)\" points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(colors[key]!)\" stroke-width=\"2\"/>"
            }
            for point in points {
                let xy = point.split(separator: ",")
                s += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3\" fill=\"\(colors[key]!)\"/>"
            }
            let ly = top + 14 + Double(k) * 16
            s += "<rect x=\"\(num(width - right + 10))\" y=\"\(num(ly - 8))\" width=\"10\" height=\"10\" fill=\"\(colors[key]!)\"/>"
            s += "<text x=\"\(num(width - right + 24))\" y=\"\(num(ly + 1))\" font-size=\"10\">\(escape(t.shortIndicator(key).components(separatedBy: " (")[0]))</text>"
        }
        let ly = top + 14 + 3 * 16
        s += "<rect x=\"\(num(width - right + 10))\" y=\"\(num(ly - 8))\" width=\"10\" height=\"10\" fill=\"#f4d35e\" fill-opacity=\"0.45\"/>"
        s += "<text x=\"\(num(width - right + 24))\" y=\"\(num(ly + 1))\" font-size=\"10\">\(escape(t.pick("mục tiêu", "target"))) \(escape(t.band(band)))</text>"
        return s + "</svg>"
    }

    /// A bar per breakdown row: its products, the digitized part darker, its digital share.
    static func breakdown(_ r: Report, _ t: ReportText, limit: Int = 40) -> String {
        let rows = Array(r.breakdown.prefix(limit))
        let width = 680.0, left = 230.0, barW = width - left - 110, rowH = 18.0
        let height = rowH * Double(rows.count) + 24
        let maxTotal = Double(max(1, rows.map(\.counts.total).max() ?? 1))
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(num(width)) \(num(height))\" role=\"img\" aria-label=\"\(escape(t.pick("Phân tổ", "Breakdown")))\">"
        for (i, row) in rows.enumerated() {
            let y = Double(i) * rowH + 4
            let label = t.language == .en ? row.labelEnglish : row.label
            s += "<text x=\"0\" y=\"\(num(y + 11))\" font-size=\"10\">\(escape(label.count > 40 ? String(label.prefix(39)) + "…" : label))</text>"
            let w = Double(row.counts.total) / maxTotal * barW
            s += "<rect class=\"row\" x=\"\(num(left))\" y=\"\(num(y))\" width=\"\(num(w))\" height=\"13\" fill=\"#a9c3e6\"/>"
            s += "<rect x=\"\(num(left))\" y=\"\(num(y))\" width=\"\(num(Double(row.counts.digitized) / maxTotal * barW))\" height=\"13\" fill=\"\(colors[.digitized]!)\"/>"
            s += "<text x=\"\(num(left + w + 4))\" y=\"\(num(y + 11))\" font-size=\"9\">\(escape(t.number(row.counts.total))) · \(escape(t.pick("số", "digital"))) \(escape(t.percent(row.counts.share(.digitalPlatform))))</text>"
        }
        s += "<rect x=\"0\" y=\"\(num(height - 12))\" width=\"10\" height=\"10\" fill=\"\(colors[.digitized]!)\"/>"
        s += "<text x=\"14\" y=\"\(num(height - 3))\" font-size=\"9\">\(escape(t.pick("đã số hóa", "digitized")))</text>"
        s += "<rect x=\"90\" y=\"\(num(height - 12))\" width=\"10\" height=\"10\" fill=\"#a9c3e6\"/>"
        s += "<text x=\"104\" y=\"\(num(height - 3))\" font-size=\"9\">\(escape(t.pick("chưa số hóa", "not digitized")))</text>"
        return s + "</svg>"
    }
}
