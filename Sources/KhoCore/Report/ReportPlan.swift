// What a report request means before anything is read: which unit (and which of the two
// unit tables), which periods, and how the catalog should be asked. Pure.

public struct ReportRequest: Sendable, Hashable {
    /// nil: the whole archive.
    public var unitCode: String?
    /// Which table the code is from; nil: decided by the period (see `UnitTable.reportUnit`).
    public var unitEra: AdminUnit.Era?
    public var period: Period
    public var breakdown: BreakdownKind?
    /// How many periods the trend shows, this one included.
    public var trendCount: Int
    /// nil: every product not digitized.
    public var gapLimit: Int?
    /// Show the titles of restricted products (the caller has the right to see them).
    public var showRestricted: Bool

    public init(unitCode: String? = nil, unitEra: AdminUnit.Era? = nil, period: Period, breakdown: BreakdownKind? = nil,
                trendCount: Int = 6, gapLimit: Int? = nil, showRestricted: Bool = false) {
        self.unitCode = unitCode
        self.unitEra = unitEra
        self.period = period
        self.breakdown = breakdown
        self.trendCount = trendCount
        self.gapLimit = gapLimit
        self.showRestricted = showRestricted
    }
}

/// How the catalog is asked for a scope's products.
public enum ScopeSelection: Sendable, Equatable {
    /// Every product.
    case country
    /// Products whose unit is part of this province today (old units by their successor).
    case provinceToday(String)
    /// Products of these codes: `old` from the table before 1 July 2025, `new` from the one after.
    case units(old: [String], new: [String])

    /// Whether the unit `code` of the table `era` lies inside this selection.
    public func holds(_ code: String, era: AdminUnit.Era, table: UnitTable) -> Bool {
        switch self {
        case .country: true
        case .provinceToday(let province): table.provinceToday(EraCode(code, era))?.code == province
        case .units(let old, let new): era == .before2025 ? old.contains(code) : new.contains(code)
        }
    }
}

public struct ReportPlan: Sendable, Equatable {
    public var request: ReportRequest
    public var scope: ReportScope
    public var selection: ScopeSelection
    /// The trend's periods, oldest first; the last is the report's period.
    public var trendPeriods: [Period]
    /// First to last day read: the trend's first period to the report's period.
    public var span: (from: CalendarDate, to: CalendarDate) { (trendPeriods.first?.from ?? request.period.from, request.period.to) }
    public var notes: [ReportNote]

    public static func == (a: ReportPlan, b: ReportPlan) -> Bool {
        a.request == b.request && a.scope == b.scope && a.selection == b.selection && a.trendPeriods == b.trendPeriods && a.notes == b.notes
    }

    public static func make(_ request: ReportRequest, table: UnitTable) -> Result<ReportPlan, Problem> {
        let trend = request.period.trend(count: max(1, request.trendCount))
        guard let code = request.unitCode else {
            let scope = ReportScope(unit: nil, period: request.period, unitsIncluded: 0)
            return .success(ReportPlan(request: request, scope: scope, selection: .country, trendPeriods: trend, notes: []))
        }
        let unit: AdminUnit
        switch table.reportUnit(code, period: request.period, era: request.unitEra) {
        case .success(let found): unit = found
        case .failure(let problem): return .failure(problem)
        }
        let included = table.reportUnits(for: unit)
        var notes: [ReportNote] = []
        let selection: ScopeSelection
        if unit.era == .from2025 && unit.level == .province {
            selection = .provinceToday(unit.code)
        } else {
            selection = .units(old: included.filter { $0.era == .before2025 }.map(\.code).sorted(),
                               new: included.filter { $0.era == .from2025 }.map(\.code).sorted())
        }
        if unit.era == .from2025 {
            let old = table.predecessors(of: unit)
            if !old.isEmpty, trend[0].from < UnitTable.reorganization {
                notes.append(.countsPredecessors(of: unit, old))
            }
        } else if request.period.to >= UnitTable.reorganization {
            notes.append(.existedUntilReorganization(unit, successors: table.successors(of: unit)))
        }
        let scope = ReportScope(unit: unit, period: request.period, unitsIncluded: included.count)
        return .success(ReportPlan(request: request, scope: scope, selection: selection, trendPeriods: trend, notes: notes))
    }
}

extension UnitTable {
    /// The unit a report is asked for. A code found in one table is that unit; a code in both
    /// (a province that kept its code) is the unit valid at the end of the period, unless the
    /// caller names the table.
    public func reportUnit(_ code: String, period: Period, era: AdminUnit.Era?) -> Result<AdminUnit, Problem> {
        let text = code.trimmingWhitespace()
        func fail(_ expected: String) -> Result<AdminUnit, Problem> {
            .failure(Problem(code: .unknownUnit, field: "unit", value: text, expected: expected))
        }
        if let era {
            if let unit = unit(text, era: era) { return .success(unit) }
            return fail("no unit has this code in the table \(era == .before2025 ? "before 1 July 2025" : "from 1 July 2025"); find the code with: kho units search NAME")
        }
        let candidates = units(text)
        guard !candidates.isEmpty else {
            return fail("no unit has this code in the national tables (before or after 1 July 2025); find the code with: kho units search NAME")
        }
        if candidates.count == 1 { return .success(candidates[0]) }
        let wanted = UnitTable.era(on: period.to)
        return .success(candidates.first { $0.era == wanted } ?? candidates[0])
    }
}
