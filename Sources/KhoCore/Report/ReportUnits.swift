// Which units' products a report on a unit takes in, across the reorganisation of 1 July
// 2025, and under which row of a breakdown by unit each falls.

/// A unit code together with the table it belongs to (a code may name one unit before
/// 1 July 2025 and another after).
public struct EraCode: Hashable, Sendable {
    public var code: String
    public var era: AdminUnit.Era

    public init(_ code: String, _ era: AdminUnit.Era) {
        self.code = code
        self.era = era
    }
}

extension UnitTable {
    /// The table a product's unit code was checked against: the one of its production date,
    /// else its publication date; an undated product's code is today's if today's table has it.
    public func era(ofProductUnit code: String, produced: CalendarDate?, published: CalendarDate?) -> AdminUnit.Era {
        if let date = produced ?? published { return date < UnitTable.reorganization ? .before2025 : .from2025 }
        return unit(code, era: .from2025) != nil ? .from2025 : .before2025
    }

    /// Today's province a unit is part of: its own (new units) or the one its default successor
    /// is in (old units). nil for a code in neither table.
    public func provinceToday(_ key: EraCode) -> AdminUnit? {
        guard let unit = unit(key.code, era: key.era) else { return nil }
        let now: AdminUnit
        if unit.era == .from2025 {
            now = unit
        } else {
            guard let successor = successors(of: unit).first else { return nil }
            now = successor
        }
        if now.level == .province { return now }
        return ancestors(of: now).first { $0.level == .province }
    }

    /// Every unit whose products count for `unit`: itself and the units under it; for a unit
    /// of today, also the old units that became part of it (and theirs).
    public func reportUnits(for unit: AdminUnit) -> Set<EraCode> {
        var out: Set<EraCode> = []
        func addWithDescendants(_ u: AdminUnit) {
            out.insert(EraCode(u.code, u.era))
            for child in children(of: u) { addWithDescendants(child) }
        }
        addWithDescendants(unit)
        if unit.era == .from2025 {
            switch unit.level {
            case .province:
                for old in predecessors(of: unit) { addWithDescendants(old) }
            case .commune:
                for old in predecessors(of: unit) { out.insert(EraCode(old.code, old.era)) }
            case .district:
                break
            }
        }
        return out
    }

    /// The row of a breakdown by unit that products of `key` fall in, for a report on `scope`
    /// (nil: the whole archive, by today's province).
    public func breakdownRow(for key: EraCode, scope: AdminUnit?) -> (key: String, label: String) {
        guard let unit = unit(key.code, era: key.era) else { return (key.code, "\(key.code) (unknown unit)") }
        func row(_ u: AdminUnit) -> (key: String, label: String) { (u.code, "\(u.code) \(u.fullName)") }
        /// Today's unit a product of `u` counts under (the default successor when divided).
        func today(_ u: AdminUnit) -> AdminUnit? { u.era == .from2025 ? u : successors(of: u).first }
        guard let scope else {
            guard let now = today(unit) else { return row(unit) }
            if now.level == .province { return row(now) }
            return now.parent.flatMap { self.unit($0, era: .from2025) }.map(row) ?? row(now)
        }
        switch (scope.era, scope.level) {
        case (.from2025, .province):
            if unit.era == .from2025 {
                return unit.level == .commune ? row(unit) : ("(province)", "(\(scope.fullName) itself)")
            }
            if unit.level == .commune || (unit.level == .district && successors(of: unit).first?.level == .commune),
               let now = today(unit), now.level == .commune {
                return row(now)
            }
            return ("(old province or district)", "(units before 1 July 2025 above commune level)")
        case (.from2025, _):
            return row(unit)
        case (.before2025, .province):
            switch unit.level {
            case .province: return ("(province)", "(\(scope.fullName) itself)")
            case .district: return row(unit)
            case .commune: return unit.parent.flatMap { self.unit($0, era: .before2025) }.map(row) ?? row(unit)
            }
        case (.before2025, _):
            return row(unit)
        }
    }
}
