// What a target report says: the scope, the three indicators against their targets, a
// breakdown, the trend over the periods before, and the products still to digitize.

/// Counts of products, and of those meeting each indicator.
public struct Counts: Sendable, Equatable, Codable {
    public var total = 0
    public var digitized = 0
    public var digitalPlatform = 0
    public var diversified = 0

    public init(total: Int = 0, digitized: Int = 0, digitalPlatform: Int = 0, diversified: Int = 0) {
        self.total = total
        self.digitized = digitized
        self.digitalPlatform = digitalPlatform
        self.diversified = diversified
    }

    public static func + (a: Counts, b: Counts) -> Counts {
        Counts(total: a.total + b.total, digitized: a.digitized + b.digitized,
               digitalPlatform: a.digitalPlatform + b.digitalPlatform, diversified: a.diversified + b.diversified)
    }

    public static func += (a: inout Counts, b: Counts) { a = a + b }

    public func count(_ key: IndicatorKey) -> Int {
        switch key {
        case .digitized: digitized
        case .digitalPlatform: digitalPlatform
        case .diversified: diversified
        }
    }

    /// nil when there is nothing to divide by: an empty scope has no share, not 0%.
    public func share(_ key: IndicatorKey) -> Double? {
        total == 0 ? nil : Double(count(key)) / Double(total)
    }
}

public struct IndicatorResult: Sendable, Equatable {
    public var key: IndicatorKey
    public var count: Int
    public var total: Int
    public var share: Double?
    public var target: TargetBand
    /// nil when the scope has no products.
    public var status: TargetStatus?

    public init(key: IndicatorKey, counts: Counts, targets: Targets) {
        self.key = key
        count = counts.count(key)
        total = counts.total
        share = counts.share(key)
        target = targets.band(key)
        status = share.map { target.status(of: $0) }
    }
}

public enum BreakdownKind: String, Sendable, Codable, CaseIterable {
    case unit, kind, language, channel, period
}

public struct BreakdownRow: Sendable, Equatable {
    public var key: String
    /// What the row is, in Vietnamese and in English (unit names are the same in both).
    public var label: String
    public var labelEnglish: String
    public var counts: Counts

    public init(key: String, label: String, labelEnglish: String? = nil, counts: Counts) {
        self.key = key
        self.label = label
        self.labelEnglish = labelEnglish ?? label
        self.counts = counts
    }
}

public struct TrendPoint: Sendable, Equatable {
    public var period: Period
    public var counts: Counts

    public init(period: Period, counts: Counts) {
        self.period = period
        self.counts = counts
    }
}

/// A product still to digitize: the staff's to-do list.
public struct GapEntry: Sendable, Equatable {
    /// nil, like the title, when the product is restricted and the reader may not see it: such
    /// a reader has it only as a count (and this row's unit, carrier and date), never by name.
    public var id: ProductID?
    /// nil when the product is restricted and the reader may not see its title.
    public var title: String?
    public var unit: String
    public var unitName: String
    public var carrier: Carrier?
    public var referenceDate: CalendarDate?
    public var restricted: Bool

    public init(id: ProductID?, title: String?, unit: String, unitName: String, carrier: Carrier?, referenceDate: CalendarDate?, restricted: Bool) {
        self.id = id
        self.title = title
        self.unit = unit
        self.unitName = unitName
        self.carrier = carrier
        self.referenceDate = referenceDate
        self.restricted = restricted
    }
}

public struct ReportScope: Sendable, Equatable {
    /// nil: the whole archive.
    public var unit: AdminUnit?
    public var period: Period
    /// How many units' products the scope takes in (itself, those under it, those merged into it).
    public var unitsIncluded: Int

    public init(unit: AdminUnit?, period: Period, unitsIncluded: Int) {
        self.unit = unit
        self.period = period
        self.unitsIncluded = unitsIncluded
    }
}

public struct Report: Sendable {
    public var generatedAt: Timestamp
    public var archiveID: String
    public var scope: ReportScope
    public var targets: Targets
    public var counts: Counts
    public var indicators: [IndicatorResult]
    public var breakdownKind: BreakdownKind?
    public var breakdown: [BreakdownRow]
    /// The period and the ones before it, oldest first.
    public var trend: [TrendPoint]
    /// Products not digitized, oldest first; cut to the limit asked for.
    public var gaps: [GapEntry]
    /// Every product of the scope not digitized (the list may be shorter).
    public var gapTotal: Int
    /// Whether titles of restricted products were asked for and shown.
    public var restrictedShown: Bool
    /// Products of the scope's units with neither a production nor a publication date:
    /// they cannot be placed in any period and are not counted.
    public var undated: Int
    /// What a reader should know about the scope (units merged, a unit that no longer exists).
    public var notes: [ReportNote]
    /// SHA-256 over the archive, the definitions, the scope and every figure read.
    public var fingerprint: String
    public var computeMillis: Double

    public init(generatedAt: Timestamp, archiveID: String, scope: ReportScope, targets: Targets, counts: Counts,
                breakdownKind: BreakdownKind?, breakdown: [BreakdownRow], trend: [TrendPoint], gaps: [GapEntry],
                gapTotal: Int, restrictedShown: Bool, undated: Int, notes: [ReportNote], fingerprint: String, computeMillis: Double) {
        self.generatedAt = generatedAt
        self.archiveID = archiveID
        self.scope = scope
        self.targets = targets
        self.counts = counts
        indicators = IndicatorKey.allCases.map { IndicatorResult(key: $0, counts: counts, targets: targets) }
        self.breakdownKind = breakdownKind
        self.breakdown = breakdown
        self.trend = trend
        self.gaps = gaps
        self.gapTotal = gapTotal
        self.restrictedShown = restrictedShown
        self.undated = undated
        self.notes = notes
        self.fingerprint = fingerprint
        self.computeMillis = computeMillis
    }

    public var isEmpty: Bool { counts.total == 0 }
}
