// Whom an archive believes when a bundle would change a product it already holds. Bundles are
// not signed: this rule keeps one office's bundle from rewriting another office's products by
// mistake or by a casual forgery (an edited product ID), not from someone holding a genuine
// bundle of the home archive.

public struct BundleTrust: Sendable, Equatable {
    /// Archives the operator declared authoritative for units (archive ID → unit codes), in
    /// kho-config.json's "trustedSources": such an archive may change products of those units
    /// and the units under or merged into them.
    public var authoritative: [String: Set<String>]

    public init(authoritative: [String: Set<String>] = [:]) { self.authoritative = authoritative }

    /// Whether a bundle of `sender` may change a product whose home is `home` and whose unit is `unit`.
    public func mayUpdate(home: String, sender: String, unit: UnitCode, table: UnitTable = .standard) -> Bool {
        if home == sender { return true }
        guard let units = authoritative[sender], !units.isEmpty else { return false }
        return !units.isDisjoint(with: Self.unitsCovering(unit, table: table))
    }

    /// The codes a declaration may name to cover `unit`: the unit, the units above it, and the
    /// province of today it is part of.
    static func unitsCovering(_ unit: UnitCode, table: UnitTable) -> Set<String> {
        var codes: Set<String> = [unit.value]
        for named in table.units(unit.value) {
            codes.formUnion(table.ancestors(of: named).map(\.code))
            if let province = table.provinceToday(EraCode(named.code, named.era)) { codes.insert(province.code) }
        }
        return codes
    }

    /// A lower access level opens a product to more people: a bundle may do that only for the
    /// products the operator names.
    public static func lowersAccess(from old: AccessLevel, to new: AccessLevel) -> Bool { new.rank < old.rank }
}
