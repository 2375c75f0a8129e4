// The report as JSON: stable English keys, shares as fractions (0.15 is 15%), null where
// there is nothing to divide by.
import Foundation

public enum ReportJSON {
    /// An optional written as `null` rather than left out: readers see every key every time.
    struct Document: Encodable {
        var report = "kho-target-report"
        var version = 1
        var generatedAt: String
        var generatedAtVietnam: String
        var archiveID: String
        var fingerprint: String
        var scope: Scope
        var definitions: Definitions
        var total: Int
        var empty: Bool
        var undated: Int
        var indicators: [Indicator]
        var breakdownBy: NullEncoded<String>
        var breakdown: [Row]
        var trend: [TrendRow]
        var gapsTotal: Int
        var restrictedTitlesShown: Bool
        var gaps: [Gap]
        var computeMillis: Double
    }

    struct Scope: Encodable {
        var unit: NullEncoded<Unit>
        var unitsIncluded: Int
        var period: PeriodDoc
        var notes: [String]
    }

    struct Unit: Encodable {
        var code: String
        var name: String
        var level: String
        var table: String
    }

    struct PeriodDoc: Encodable {
        var label: String
        var kind: String
        var from: String
        var to: String
        var title: NullEncoded<String>
    }

    struct Definitions: Encodable {
        var source: String
        var referenceDate = "first publication date, else production date; inclusive calendar dates in Vietnam (UTC+7)"
        var digitized = "at least one master file in the store"
        var digitalPlatform = "published on at least one of digitalChannels"
        var diversified = "digital platform, or any language is an ethnic-minority or a foreign language"
        var digitalChannels: [String]
        var minorityLanguages: [String]
        var statusRule = "below min: behind; min to max: on_target; above max: beyond"
    }

    struct Target: Encodable {
        var min: Double
        var max: Double
    }

    struct Indicator: Encodable {
        var key: String
        var label: String
        var count: Int
        var total: Int
        var share: NullEncoded<Double>
        var target: Target
        var status: NullEncoded<String>
    }

    struct Row: Encodable {
        var key: String
        var label: String
        var total: Int
        var digitized: Int
        var digital_platform: Int
        var diversified: Int
        var shares: Shares
    }

    struct Shares: Encodable {
        var digitized: NullEncoded<Double>
        var digital_platform: NullEncoded<Double>
        var diversified: NullEncoded<Double>
    }

    struct TrendRow: Encodable {
        var period: String
        var from: String
        var to: String
        var total: Int
        var digitized: Int
        var digital_platform: Int
        var diversified: Int
        var shares: Shares
    }

    struct Gap: Encodable {
        var id: NullEncoded<String>
        var title: NullEncoded<String>
        var restricted: Bool
        var unit: String
        var unitName: String
        var carrier: NullEncoded<String>
        var date: NullEncoded<String>
    }

    static func shares(_ c: Counts) -> Shares {
        Shares(digitized: NullEncoded(c.share(.digitized)), digital_platform: NullEncoded(c.share(.digitalPlatform)),
               diversified: NullEncoded(c.share(.diversified)))
    }

    public static func render(_ r: Report, language: ReportLanguage = .en, minorityLanguages: [String]) -> String {
        let text = ReportText(language)
        let english = language == .en
        let doc = Document(
            generatedAt: r.generatedAt.iso, generatedAtVietnam: text.madeAt(r.generatedAt), archiveID: r.archiveID,
            fingerprint: r.fingerprint,
            scope: Scope(unit: NullEncoded(r.scope.unit.map { Unit(code: $0.code, name: $0.fullName, level: $0.level.rawValue, table: $0.era.rawValue) }),
                         unitsIncluded: r.scope.unitsIncluded,
                         period: PeriodDoc(label: r.scope.period.label, kind: r.scope.period.kind.rawValue, from: r.scope.period.from.description,
                                           to: r.scope.period.to.description, title: NullEncoded(r.scope.period.title)),
                         notes: r.notes.map { $0.text(language) }),
            definitions: Definitions(source: r.targets.source, digitalChannels: r.targets.digitalChannels.map(\.rawValue).sorted(),
                                     minorityLanguages: minorityLanguages.sorted()),
            total: r.counts.total, empty: r.isEmpty, undated: r.undated,
            indicators: r.indicators.map {
                Indicator(key: $0.key.rawValue, label: text.indicator($0.key), count: $0.count, total: $0.total, share: NullEncoded($0.share),
                          target: Target(min: $0.target.min, max: $0.target.max), status: NullEncoded($0.status?.rawValue))
            },
            breakdownBy: NullEncoded(r.breakdownKind?.rawValue),
            breakdown: r.breakdown.map {
                Row(key: $0.key, label: english ? $0.labelEnglish : $0.label, total: $0.counts.total, digitized: $0.counts.digitized,
                    digital_platform: $0.counts.digitalPlatform, diversified: $0.counts.diversified, shares: shares($0.counts))
            },
            trend: r.trend.map {
                TrendRow(period: $0.period.label, from: $0.period.from.description, to: $0.period.to.description, total: $0.counts.total,
                         digitized: $0.counts.digitized, digital_platform: $0.counts.digitalPlatform, diversified: $0.counts.diversified,
                         shares: shares($0.counts))
            },
            gapsTotal: r.gapTotal, restrictedTitlesShown: r.restrictedShown,
            gaps: r.gaps.map {
                Gap(id: NullEncoded($0.id?.description), title: NullEncoded($0.title), restricted: $0.restricted, unit: $0.unit, unitName: $0.unitName,
                    carrier: NullEncoded($0.carrier?.rawValue), date: NullEncoded($0.referenceDate?.description))
            },
            computeMillis: (r.computeMillis * 10).rounded() / 10)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(doc)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
