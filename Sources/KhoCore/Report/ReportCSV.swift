// The report as one CSV table with stable English headers. The `section` column says what a
// row is: scope (key/value facts), indicator, breakdown, trend, gap. Shares are fractions.

public enum ReportCSV {
    public static let headers = ["section", "key", "label", "value", "total", "digitized", "digital_platform", "diversified",
                                 "share", "target_min", "target_max", "status", "unit", "carrier", "date"]

    public static func render(_ r: Report, language: ReportLanguage = .en) -> String {
        let text = ReportText(language)
        var rows: [[String]] = [headers]
        func row(_ section: String, key: String, label: String = "", value: String = "", counts: Counts? = nil, share: Double? = nil,
                 target: TargetBand? = nil, status: String = "", unit: String = "", carrier: String = "", date: String = "") -> [String] {
            [section, key, label, value, counts.map { String($0.total) } ?? "", counts.map { String($0.digitized) } ?? "",
             counts.map { String($0.digitalPlatform) } ?? "", counts.map { String($0.diversified) } ?? "",
             share.map(fraction) ?? "", target.map { fraction($0.min) } ?? "", target.map { fraction($0.max) } ?? "", status, unit, carrier, date]
        }
        let p = r.scope.period
        rows.append(row("scope", key: "unit", label: text.scopeName(r.scope), value: r.scope.unit?.code ?? "all"))
        rows.append(row("scope", key: "unit_table", value: r.scope.unit?.era.rawValue ?? ""))
        rows.append(row("scope", key: "units_included", value: String(r.scope.unitsIncluded)))
        rows.append(row("scope", key: "period", label: text.period(p), value: p.label, date: "\(p.from)..\(p.to)"))
        rows.append(row("scope", key: "generated_at", label: text.madeAt(r.generatedAt), value: r.generatedAt.iso))
        rows.append(row("scope", key: "archive_id", value: r.archiveID))
        rows.append(row("scope", key: "fingerprint", value: r.fingerprint))
        rows.append(row("scope", key: "targets_source", value: r.targets.source))
        rows.append(row("scope", key: "digital_channels", value: r.targets.digitalChannels.map(\.rawValue).sorted().joined(separator: " ")))
        rows.append(row("scope", key: "total", value: String(r.counts.total)))
        rows.append(row("scope", key: "undated", value: String(r.undated)))
        rows.append(row("scope", key: "restricted_titles_shown", value: r.restrictedShown ? "yes" : "no"))
        for note in r.notes { rows.append(row("scope", key: "note", label: note.text(language))) }
        for i in r.indicators {
            rows.append(row("indicator", key: i.key.rawValue, label: text.indicator(i.key), value: String(i.count), counts: nil, share: i.share,
                            target: i.target, status: i.status?.rawValue ?? "no_products"))
            rows[rows.count - 1][4] = String(i.total)
        }
        for b in r.breakdown {
            rows.append(row("breakdown", key: b.key, label: language == .en ? b.labelEnglish : b.label, value: r.breakdownKind?.rawValue ?? "",
                            counts: b.counts))
        }
        for t in r.trend {
            rows.append(row("trend", key: t.period.label, label: text.period(t.period), counts: t.counts, date: "\(t.period.from)..\(t.period.to)"))
        }
        for g in r.gaps {
            rows.append(row("gap", key: g.id?.description ?? "", label: g.title ?? text.hiddenTitle, value: g.restricted ? "restricted" : "",
                            unit: g.unit, carrier: g.carrier?.rawValue ?? "", date: g.referenceDate?.description ?? ""))
        }
        if r.gaps.count < r.gapTotal {
            rows.append(row("gap", key: "(more)", label: "\(r.gapTotal - r.gaps.count) more not listed", value: String(r.gapTotal - r.gaps.count)))
        }
        return rows.map(DelimitedText.line).joined(separator: "\r\n") + "\r\n"
    }

    /// Up to six decimals, no exponent: 0.15, 1, 0.333333.
    static func fraction(_ v: Double) -> String {
        let micro = Int((v * 1_000_000).rounded())
        var s = "\(micro / 1_000_000)"
        let frac = micro % 1_000_000
        if frac > 0 {
            var digits = String(frac)
            digits = String(repeating: "0", count: 6 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            s += "." + digits
        }
        return s
    }
}
