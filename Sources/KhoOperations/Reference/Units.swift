// The national unit code tables, before and after 1 July 2025: what a code names, and units
// found by name or code prefix.
import KhoCore

/// `kho units show CODE`: every unit the code has named, with dates, parents and successors or
/// predecessors.
public struct ShowUnit: StandaloneOperation {
    public var code: UnitCode
    public init(code: UnitCode) { self.code = code }

    public func run() throws(KhoError) -> [UnitDocument] {
        let table = UnitTable.standard
        let units = table.units(code.value)
        guard !units.isEmpty else {
            throw KhoError(.unknownUnit, "no unit has code \(code.value) in the national tables; search by name with: kho units search NAME",
                           subject: .field("code", code.value))
        }
        return units.map { UnitDocument($0, table: table) }
    }
}

/// `kho units search TEXT`: units by name (diacritics optional) or by the start of a code.
public struct SearchUnits: StandaloneOperation {
    public var text: String
    public var limit: Int

    public init(text: String, limit: Int = 50) {
        self.text = text
        self.limit = limit
    }

    public func run() throws(KhoError) -> [UnitDocument] {
        let table = UnitTable.standard
        return table.search(text, limit: max(1, limit)).map { UnitDocument($0, table: table) }
    }
}

public struct UnitDocument: Codable, Sendable {
    public struct Ref: Codable, Sendable { public var code: String; public var name: String; public var level: String }
    public var code: String
    public var type: String
    public var name: String
    public var fullName: String
    /// province, district or commune.
    public var level: String
    /// before_2025 or from_2025.
    public var era: String
    @NullEncoded public var validFrom: String?
    @NullEncoded public var validUntil: String?
    /// The unit's parent, its parent's parent, up to the province.
    public var parents: [Ref]
    /// What an old unit became (a divided commune: each part, the first where its products count).
    public var successors: [Ref]
    /// The old units a new one was formed from.
    public var predecessors: [Ref]
    /// How many units are directly under it.
    public var children: Int

    public init(_ unit: AdminUnit, table: UnitTable) {
        func ref(_ u: AdminUnit) -> Ref { Ref(code: u.code, name: u.fullName, level: u.level.rawValue) }
        code = unit.code
        type = unit.type
        name = unit.name
        fullName = unit.fullName
        level = unit.level.rawValue
        era = unit.era.rawValue
        validFrom = unit.era == .from2025 ? "2025-07-01" : nil
        validUntil = unit.era == .before2025 ? "2025-06-30" : nil
        parents = table.ancestors(of: unit).map(ref)
        successors = table.successors(of: unit).map(ref)
        predecessors = table.predecessors(of: unit).map(ref)
        children = table.children(of: unit).count
    }
}
