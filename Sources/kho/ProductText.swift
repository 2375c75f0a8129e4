// Products as text for the terminal: one in detail, or many as a table.
import Foundation
import KhoCore
import KhoOperations

enum ProductText {
    static func detail(_ p: ProductDocument) -> String {
        var lines = ["\(p.id)  \(p.title)"]
        func row(_ label: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            lines.append("  " + label.padding(12) + value)
        }
        row("kind", "\(p.kind) (\(ProductKind(rawValue: p.kind)?.vietnamese ?? p.kind))")
        row("languages", zip(p.languages, p.languageGroups).map { tag, group in
            "\((try? LanguageTag.parse(tag).get()).map { LanguageRegistry.standard.label($0) } ?? tag) [\(group)]"
        }.joined(separator: ", "))
        row("unit", p.unit)
        row("produced", p.produced)
        row("published", p.published)
        row("channels", p.channels.map { $0 + (Channel(rawValue: $0)?.isDigital == true ? " (digital)" : "") }.joined(separator: ", "))
        row("topics", p.topics.joined(separator: ", "))
        row("campaign", p.campaign)
        row("creator", p.creator)
        row("access", p.access)
        row("origin", origin(p))
        row("digitized", p.digitized ? "yes" : "no")
        if let description = p.description {
            lines.append("  description")
            for line in description.split(separator: "\n", omittingEmptySubsequences: false) { lines.append("    \(line)") }
        }
        if p.files.isEmpty {
            lines.append("  files       none yet (attach the digitized master with: kho attach \(p.id) FILE)")
        } else {
            lines.append("  files")
            for f in p.files {
                let check = f.lastCheck.map { "  checked \($0.at.prefix(10)): \($0.outcome)" } ?? ""
                lines.append("    \(f.n)  \(f.role.padding(10))\(f.name)  \(f.mediaType)  \(Formatting.bytes(f.size))  sha256:\(f.sha256.prefix(16))…\(check)")
            }
        }
        if let events = p.events, !events.isEmpty {
            lines.append("  events")
            for e in events {
                let when = e.at.prefix(19).replacingOccurrences(of: "T", with: " ")
                let origin = e.importedFrom.map { "  (history of archive \($0))" } ?? ""
                lines.append("    \(when)Z  \(e.type.padding(22))\(e.outcome.padding(8))\(e.object)  \(e.detail ?? "")  [\(e.agent)]\(origin)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func origin(_ p: ProductDocument) -> String {
        if p.origin == Origin.bornDigital.rawValue { return "born digital" }
        let carrier = p.carrier ?? "a physical carrier"
        if let on = p.digitizedOn { return "digitized from \(carrier) on \(on) by \(p.digitizationMethod ?? "?")" }
        return p.digitized ? "digitized from \(carrier)" : "physical (\(carrier)), not yet digitized"
    }

    /// A table: ID, date, kind, languages, unit, digitized, title.
    static func table(_ products: [ProductDocument], width: Int) -> String {
        let header = ["ID", "DATE", "KIND", "LANG", "UNIT", "DIG", "TITLE"]
        let rows = products.map { p in
            [p.id, p.referenceDate ?? "-", p.kind, p.languages.joined(separator: ","), p.unit, p.digitized ? "yes" : "no", p.title]
        }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < 6 { widths[i] = max(widths[i], cell.count) } }
        let fixed = widths.prefix(6).reduce(0, +) + 12
        let titleWidth = max(20, width - fixed)
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                if i < 6 { out += cell.padding(widths[i] + 2) } else {
                    out += cell.count > titleWidth ? String(cell.prefix(titleWidth - 1)) + "…" : cell
                }
            }
            return out
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}

extension String {
    /// Pads with spaces to `width` characters (grapheme clusters: NFC Vietnamese is one per letter).
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
