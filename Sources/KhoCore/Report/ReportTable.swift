// The report for a terminal: aligned plain text.

public enum ReportTable {
    public static func render(_ r: Report, language: ReportLanguage = .vi) -> String {
        let t = ReportText(language)
        var out: [String] = []
        out.append(t.pick("BÁO CÁO CHỈ TIÊU", "TARGET REPORT") + " — " + t.scopeName(r.scope))
        out.append(t.pick("Kỳ báo cáo", "Period") + ": " + t.period(r.scope.period) + " [\(r.scope.period.label)]")
        out.append(t.pick("Lập lúc", "Made") + ": " + t.madeAt(r.generatedAt) + "   " + t.pick("Dấu vân tay dữ liệu", "Data fingerprint") + ": " + r.fingerprint.prefix(16) + "…")
        out.append(t.pick("Chỉ tiêu theo", "Targets from") + ": " + r.targets.source)
        for note in r.notes { out.append("  * " + note.text(language)) }
        out.append("")
        guard !r.isEmpty else {
            out.append(t.noProducts)
            if r.undated > 0 { out.append(undatedLine(r, t)) }
            return out.joined(separator: "\n") + "\n"
        }
        out.append(t.pick("Tổng số sản phẩm", "Products") + ": " + t.number(r.counts.total))
        out.append(contentsOf: grid([[t.pick("Chỉ tiêu", "Indicator"), t.pick("Số lượng", "Count"), t.pick("Tỷ lệ", "Share"), t.pick("Mục tiêu", "Target"), t.pick("Đánh giá", "Status")]]
            + r.indicators.map { [t.shortIndicator($0.key), t.number($0.count), t.percent($0.share), t.band($0.target), t.status($0.status)] },
            rightAligned: [1, 2]))
        if let kind = r.breakdownKind {
            out.append("")
            out.append(t.breakdownTitle(kind))
            out.append(contentsOf: grid(countHeader(t, first: "") + r.breakdown.map { countRow(language == .en ? $0.labelEnglish : $0.label, $0.counts, t) },
                                        rightAligned: [1, 2, 3, 4]))
        }
        out.append("")
        out.append(t.pick("Xu hướng", "Trend"))
        out.append(contentsOf: grid(countHeader(t, first: t.pick("Kỳ", "Period")) + r.trend.map { countRow(t.shortPeriod($0.period), $0.counts, t) },
                                    rightAligned: [1, 2, 3, 4]))
        out.append("")
        out.append(t.pick("Sản phẩm chưa số hóa", "Not yet digitized") + ": " + t.number(r.gapTotal))
        if !r.gaps.isEmpty {
            out.append(contentsOf: grid([["ID", t.pick("Tiêu đề", "Title"), t.pick("Đơn vị", "Unit"), t.pick("Vật mang tin", "Carrier"), t.pick("Ngày", "Date")]]
                + r.gaps.map { [$0.id?.description ?? "—", clip($0.title ?? t.hiddenTitle, 48), "\($0.unit) \($0.unitName)", t.carrier($0.carrier),
                                $0.referenceDate.map(t.date) ?? ""] }, rightAligned: []))
            if r.gaps.count < r.gapTotal {
                out.append(t.pick("… và \(t.number(r.gapTotal - r.gaps.count)) sản phẩm nữa (xem hết: --gaps all, hoặc --format csv)",
                                  "… and \(t.number(r.gapTotal - r.gaps.count)) more (all of them: --gaps all, or --format csv)"))
            }
        }
        if r.undated > 0 { out.append(undatedLine(r, t)) }
        return out.joined(separator: "\n") + "\n"
    }

    static func undatedLine(_ r: Report, _ t: ReportText) -> String {
        t.pick("Chưa tính: \(t.number(r.undated)) sản phẩm của đơn vị không có ngày sản xuất hay ngày phát hành (bổ sung ngày bằng kho edit).",
               "Not counted: \(t.number(r.undated)) product(s) of these units have neither a production nor a publication date (add one with kho edit).")
    }

    static func countHeader(_ t: ReportText, first: String) -> [[String]] {
        [[first, t.pick("Tổng", "Total"), t.pick("Số hóa", "Digitized"), t.pick("Nền tảng số", "Digital"), t.pick("Đa dạng hóa", "Diversified")]]
    }

    static func countRow(_ label: String, _ c: Counts, _ t: ReportText) -> [String] {
        func cell(_ key: IndicatorKey) -> String { "\(t.number(c.count(key))) (\(t.percent(c.share(key))))" }
        return [label, t.number(c.total), cell(.digitized), cell(.digitalPlatform), cell(.diversified)]
    }

    static func clip(_ s: String, _ width: Int) -> String { s.count <= width ? s : String(s.prefix(width - 1)) + "…" }

    static func grid(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        var widths = Array(repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.enumerated().flatMap { index, row -> [String] in
            let line = row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ")
            var trimmed = line
            while trimmed.hasSuffix(" ") { trimmed.removeLast() }
            return index == 0 ? ["  " + trimmed, "  " + String(repeating: "-", count: widths.reduce(0, +) + 2 * (columns - 1))] : ["  " + trimmed]
        }
    }
}
