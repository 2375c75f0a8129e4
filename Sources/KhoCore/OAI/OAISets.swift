// The sets an OAI-PMH harvester may select by, hierarchical as the protocol allows ("a:b" is a
// part of "a"): `unit` (today's provinces, `unit:PP`, each with today's communes,
// `unit:PP:CCCCC`; a province's set also holds the products of the old units merged into it),
// `kind` (`kind:article`…) and `lang` (`lang:vi`, `lang:hmn`…, the languages in use).

public enum OAISetSpec: Sendable, Equatable {
    case units
    case province(String)
    case commune(province: String, code: String)
    case kinds
    case kind(ProductKind)
    case languages
    case language(String)

    /// Parts of letters, digits and -_.!~*'() separated by single colons (the schema's pattern).
    public static func isWellFormed(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return !parts.isEmpty && parts.allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || "-_.!~*'()".utf8.contains(c)
            }
        }
    }

    /// The set a spec names, or nil when there is no such set here.
    public static func parse(_ text: String, table: UnitTable = .standard) -> OAISetSpec? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("unit", 1): return .units
        case ("unit", 2):
            guard let p = table.unit(parts[1], era: .from2025), p.level == .province else { return nil }
            return .province(p.code)
        case ("unit", 3):
            guard let c = table.unit(parts[2], era: .from2025), c.level == .commune, c.parent == parts[1] else { return nil }
            return .commune(province: parts[1], code: c.code)
        case ("kind", 1): return .kinds
        case ("kind", 2): return ProductKind(rawValue: parts[1]).map { .kind($0) }
        case ("lang", 1): return .languages
        case ("lang", 2):
            guard case .success = LanguageTag.parse(parts[1]) else { return nil }
            return .language(parts[1])
        default: return nil
        }
    }

    public var spec: String {
        switch self {
        case .units: "unit"
        case .province(let p): "unit:\(p)"
        case .commune(let p, let c): "unit:\(p):\(c)"
        case .kinds: "kind"
        case .kind(let k): "kind:\(k.rawValue)"
        case .languages: "lang"
        case .language(let tag): "lang:\(tag)"
        }
    }
}

public struct OAISet: Sendable, Equatable {
    public var spec: String
    public var name: String
}

public enum OAISets {
    /// Every set, in a fixed order: units (each province, then its communes), kinds, then
    /// the `languages` given (sorted).
    public static func all(table: UnitTable = .standard, languages: [String], registry: LanguageRegistry = .standard) -> [OAISet] {
        var out = [OAISet(spec: "unit", name: "Đơn vị hành chính (từ 01/7/2025)")]
        for province in table.provinces(era: .from2025).sorted(by: { $0.code < $1.code }) {
            out.append(OAISet(spec: "unit:\(province.code)", name: province.fullName))
            for commune in table.children(of: province).sorted(by: { $0.code < $1.code }) where commune.level == .commune {
                out.append(OAISet(spec: "unit:\(province.code):\(commune.code)", name: "\(commune.fullName), \(province.fullName)"))
            }
        }
        out.append(OAISet(spec: "kind", name: "Loại sản phẩm"))
        for kind in ProductKind.allCases { out.append(OAISet(spec: "kind:\(kind.rawValue)", name: kind.vietnamese)) }
        out.append(OAISet(spec: "lang", name: "Ngôn ngữ"))
        for tag in languages.sorted() where OAISetSpec.isWellFormed("lang:\(tag)") {
            let name = (try? LanguageTag.parse(tag).get()).map { registry.label($0) } ?? tag
            out.append(OAISet(spec: "lang:\(tag)", name: name))
        }
        return out
    }

    /// The sets a product is in: its province of today (and commune, when its unit is one of
    /// today's communes), its kind, its languages.
    public static func membership(provinceNow: String, unit: String, unitIsToday: Bool, kind: ProductKind,
                                  languages: [String], table: UnitTable = .standard) -> [String] {
        var out = ["unit"]
        if !provinceNow.isEmpty {
            out.append("unit:\(provinceNow)")
            if unitIsToday, let c = table.unit(unit, era: .from2025), c.level == .commune, c.parent == provinceNow {
                out.append("unit:\(provinceNow):\(unit)")
            }
        }
        out += ["kind", "kind:\(kind.rawValue)", "lang"]
        out += languages.map { "lang:\($0)" }.filter(OAISetSpec.isWellFormed)
        return out
    }
}
