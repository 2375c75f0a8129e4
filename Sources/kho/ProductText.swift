// Products as text for the terminal: one in detail, or many as a table.
import KhoCore
import KhoStore

enum ProductText {
    static func detail(_ p: Product, events: [PreservationEvent], fixity: [String: (at: Timestamp, outcome: String)],
                       registry: LanguageRegistry = .standard) -> String {
        let m = p.metadata
        var lines = ["\(p.id)  \(m.title)"]
        func row(_ label: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            lines.append("  " + label.padding(12) + value)
        }
        row("kind", "\(m.kind.rawValue) (\(m.kind.vietnamese))")
        row("languages", m.languages.map { "\(registry.label($0)) [\(registry.group(of: $0).rawValue)]" }.joined(separator: ", "))
        row("unit", m.unit.value)
        row("produced", m.produced?.description)
        row("published", m.published?.description)
        row("channels", m.channels.map { $0.rawValue + ($0.isDigital ? " (digital)" : "") }.joined(separator: ", "))
        row("topics", m.topics.joined(separator: ", "))
        row("campaign", m.campaign)
        row("creator", m.creator)
        row("access", m.access.rawValue)
        row("origin", origin(p))
        row("digitized", p.isDigitized ? "yes" : "no")
        if let description = m.description {
            lines.append("  description")
            for line in description.split(separator: "\n", omittingEmptySubsequences: false) { lines.append("    \(line)") }
        }
        if p.files.isEmpty {
            lines.append("  files       none yet (attach the digitized master with: kho attach \(p.id) FILE)")
        } else {
            lines.append("  files")
            for f in p.files {
                var check = ""
                if let last = fixity[f.sha256] { check = "  checked \(last.at.iso.prefix(10)): \(last.outcome)" }
                lines.append("    \(f.n)  \(f.role.rawValue.padding(10))\(f.name.display)  \(f.mediaType)  \(Formatting.bytes(f.size))  sha256:\(f.sha256.prefix(16))…\(check)")
            }
        }
        if !events.isEmpty {
            lines.append("  events")
            for e in events {
                let when = e.at.iso.prefix(19).replacingOccurrences(of: "T", with: " ")
                lines.append("    \(when)Z  \(e.type.rawValue.padding(22))\(e.outcome.rawValue.padding(8))\(e.object)  \(e.detail ?? "")  [\(e.agent)]")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func origin(_ p: Product) -> String {
        let d = p.digitization
        switch d.origin {
        case .bornDigital: return "born digital"
        case .physical:
            let carrier = d.carrier?.rawValue ?? "a physical carrier"
            if let on = d.digitizedOn {
                return "digitized from \(carrier) on \(on) by \(d.method?.rawValue ?? "?")"
            }
            return p.isDigitized ? "digitized from \(carrier)" : "physical (\(carrier)), not yet digitized"
        }
    }

    /// A table: ID, date, kind, languages, unit, digitized, title.
    static func table(_ products: [Product], width: Int) -> String {
        let header = ["ID", "DATE", "KIND", "LANG", "UNIT", "DIG", "TITLE"]
        let rows = products.map { p in
            [p.id.description, p.metadata.referenceDate?.description ?? "-", p.metadata.kind.rawValue,
             p.metadata.languages.map(\.value).joined(separator: ","), p.metadata.unit.value, p.isDigitized ? "yes" : "no",
             p.metadata.title]
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

import Foundation
