// Vietnam's administrative units before and after the reorganisation of 1 July 2025
// (Resolution 202/2025/QH15): codes, names, parents, and which new units the old ones
// became. The data is generated into KhoReference (UnitData); lookups are pure.
import KhoReference
import Synchronization

public struct AdminUnit: Sendable, Hashable {
    public enum Era: String, Sendable, Codable {
        /// 63 provinces, their districts and communes, valid until 30 June 2025.
        case before2025 = "before_2025"
        /// 34 provinces and their communes, valid from 1 July 2025.
        case from2025 = "from_2025"

        /// When the table's units were valid.
        public var validity: String { self == .before2025 ? "until 30 June 2025" : "from 1 July 2025" }

        /// A table as a user names it: before-2025 (old) or from-2025 (new).
        public static func parse(_ text: String) -> Result<Era, Problem> {
            switch text.lowercased() {
            case "before-2025", "before_2025", "old": .success(.before2025)
            case "from-2025", "from_2025", "new": .success(.from2025)
            default: .failure(Problem(code: .invalidChoice, field: "unit-table", value: text, expected: "before-2025 or from-2025"))
            }
        }
    }

    public var code: String
    /// "Phường", "Xã", "Thị trấn", "Đặc khu", "Quận", "Huyện", "Tỉnh", "Thành phố"…
    public var type: String
    public var name: String
    public var level: UnitCode.Level
    public var era: Era
    /// District (old communes) or province (old districts, new communes).
    public var parent: String?

    public var fullName: String { type.isEmpty ? name : "\(type) \(name)" }

    /// Dates the unit was valid: until 30 June 2025, or from 1 July 2025.
    public var validity: String { era.validity }
}

public final class UnitTable: Sendable {
    /// The day the new units took effect.
    public static let reorganization = CalendarDate(year: 2025, month: 7, day: 1)!

    private let old: [String: AdminUnit]
    private let new: [String: AdminUnit]
    private let successorCodes: [String: [String]]
    private let predecessorCodes: [String: [String]]
    private let provinceSuccessor: [String: String]
    private let children: [String: [String]]
    /// Folded names for `search`, made on first search: most commands never search, and
    /// folding 13,000 names costs more than parsing the tables.
    private let searchCache = Mutex<[(key: String, words: [String], unit: AdminUnit)]?>(nil)
    private var searchKeys: [(key: String, words: [String], unit: AdminUnit)] {
        searchCache.withLock { cache in
            if let cache { return cache }
            let made = (Array(old.values) + Array(new.values)).map { unit in
                (LanguageRegistry.nameKey(unit.fullName) + " " + LanguageRegistry.nameKey(unit.name),
                 VietnameseText.foldedWords(unit.fullName), unit)
            }
            cache = made
            return made
        }
    }
    /// Changes whenever the data does: what is derived from the tables and stored (a product's
    /// province today) is made again when it changes.
    public let dataFingerprint: String

    /// Parsed once, on first use.
    public static let standard = UnitTable(data: UnitData.text)
    /// `standard`'s fingerprint without parsing the table (about 50 ms): every opening of an
    /// archive asks for it, most commands never look a unit up.
    public static let standardFingerprint = fingerprint(UnitData.text)

    static func fingerprint(_ data: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "units-" + String(hash, radix: 16)
    }

    init(data: String) {
        dataFingerprint = Self.fingerprint(data)
        var old: [String: AdminUnit] = [:], new: [String: AdminUnit] = [:]
        var successors: [String: [String]] = [:], predecessors: [String: [String]] = [:]
        var provinces: [String: String] = [:], children: [String: [String]] = [:]
        // By bytes, not characters: a tenth of the time (every command that looks a unit up
        // parses the table once).
        for line in data.utf8.split(separator: 0x0A) {
            let f = line.split(separator: 0x09, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            guard f.count >= 3 else { continue }
            switch f[0] {
            case "OP", "OD", "OW", "NP", "NW":
                let era: AdminUnit.Era = f[0].hasPrefix("O") ? .before2025 : .from2025
                let level: UnitCode.Level = f[0].hasSuffix("P") ? .province : f[0].hasSuffix("D") ? .district : .commune
                let unit = AdminUnit(code: f[1], type: f[2], name: f[3], level: level, era: era, parent: f.count > 4 ? f[4] : nil)
                if era == .before2025 { old[unit.code] = unit } else { new[unit.code] = unit }
                if let parent = unit.parent { children["\(era.rawValue):\(parent)", default: []].append(unit.code) }
            case "XP":
                provinces[f[1]] = f[2]
            case "XW":
                let targets = f[2].split(separator: ",").map(String.init)
                successors[f[1]] = targets
                if let first = targets.first { predecessors[first, default: []].append(f[1]) }
            default:
                continue
            }
        }
        self.old = old
        self.new = new
        self.successorCodes = successors
        self.predecessorCodes = predecessors
        self.provinceSuccessor = provinces
        self.children = children
    }

    public var counts: (oldProvinces: Int, oldDistricts: Int, oldCommunes: Int, newProvinces: Int, newCommunes: Int) {
        (old.values.filter { $0.level == .province }.count, old.values.filter { $0.level == .district }.count,
         old.values.filter { $0.level == .commune }.count, new.values.filter { $0.level == .province }.count,
         new.values.filter { $0.level == .commune }.count)
    }

    /// Every unit a code has named: up to one before 1 July 2025 and one after.
    /// Every province of one table, by code.
    public func provinces(era: AdminUnit.Era) -> [AdminUnit] {
        (era == .before2025 ? old : new).values.filter { $0.level == .province }.sorted { $0.code < $1.code }
    }

    public func units(_ code: String) -> [AdminUnit] {
        [old[code], new[code]].compactMap { $0 }
    }

    public func unit(_ code: String, era: AdminUnit.Era) -> AdminUnit? {
        era == .before2025 ? old[code] : new[code]
    }

    public static func era(on date: CalendarDate) -> AdminUnit.Era {
        date < reorganization ? .before2025 : .from2025
    }

    /// The unit a code named on `date` (nil date: today's unit if there is one, else the old one).
    /// A code that did not name a unit that day is a problem saying what it named and when.
    public func validate(_ code: UnitCode, on date: CalendarDate?) -> Result<AdminUnit, Problem> {
        func problem(_ expected: String) -> Result<AdminUnit, Problem> {
            .failure(Problem(code: .unknownUnit, field: "unit", value: code.value, expected: expected))
        }
        guard let date else {
            if let unit = new[code.value] ?? old[code.value] { return .success(unit) }
            return problem("no unit has this code in the national tables (before or after 1 July 2025); find the code with: kho units search NAME")
        }
        let era = Self.era(on: date)
        if let unit = unit(code.value, era: era) { return .success(unit) }
        if era == .from2025, let gone = old[code.value] {
            let into = successors(of: gone).map { "\($0.code) \($0.fullName)" }.joined(separator: " or ")
            return problem("\(gone.fullName) (\(code.value)) no longer existed on \(date): since 1 July 2025 it is part of \(into.isEmpty ? "another unit" : into); use the new code for products made from that date")
        }
        if era == .before2025, let later = new[code.value] {
            return problem("\(later.fullName) (\(code.value)) exists only from 1 July 2025, after \(date); a product made before then keeps the code of the unit that made it — find it with: kho units search NAME")
        }
        return problem("no unit has this code in the national tables (before or after 1 July 2025); find the code with: kho units search NAME")
    }

    /// Parent, grandparent…: commune › district › province.
    public func ancestors(of unit: AdminUnit) -> [AdminUnit] {
        var out: [AdminUnit] = []
        var current = unit
        while let parentCode = current.parent, let parent = self.unit(parentCode, era: current.era) {
            out.append(parent)
            current = parent
        }
        return out
    }

    /// The units under this one (same era).
    public func children(of unit: AdminUnit) -> [AdminUnit] {
        (children["\(unit.era.rawValue):\(unit.code)"] ?? []).compactMap { self.unit($0, era: unit.era) }
    }

    /// What an old unit is part of today: new communes for a commune (the default first, more
    /// when it was divided), the new province for a province or a district.
    public func successors(of unit: AdminUnit) -> [AdminUnit] {
        guard unit.era == .before2025 else { return [] }
        switch unit.level {
        case .commune:
            return (successorCodes[unit.code] ?? []).compactMap { new[$0] }
        case .district:
            if let direct = successorCodes[unit.code] { return direct.compactMap { new[$0] } }
            let provinces = Set(children(of: unit).flatMap { successors(of: $0) }.compactMap(\.parent))
            return provinces.sorted().compactMap { new[$0] }
        case .province:
            return provinceSuccessor[unit.code].flatMap { new[$0] }.map { [$0] } ?? []
        }
    }

    /// Old units whose products count under this new unit: old communes whose default
    /// successor it is; for a new province, the old provinces merged into it.
    public func predecessors(of unit: AdminUnit) -> [AdminUnit] {
        guard unit.era == .from2025 else { return [] }
        switch unit.level {
        case .commune: return (predecessorCodes[unit.code] ?? []).sorted().compactMap { old[$0] }
        case .province: return provinceSuccessor.filter { $0.value == unit.code }.keys.sorted().compactMap { old[$0] }
        case .district: return []
        }
    }

    /// Units whose name contains every word of `text` (diacritics and case ignored), or whose code starts with it.
    public func search(_ text: String, limit: Int = 50) -> [AdminUnit] {
        let words = VietnameseText.foldedWords(text)
        guard !words.isEmpty else { return [] }
        let digitsOnly = text.trimmingWhitespace().allSatisfy(\.isNumber)
        // Rank: every word a whole word of the name (0), a word's beginning (1), anywhere (2).
        var hits: [(rank: Int, unit: AdminUnit)] = []
        if digitsOnly {
            let prefix = text.trimmingWhitespace()
            hits = (Array(old.values) + Array(new.values)).filter { $0.code.hasPrefix(prefix) }.map { (0, $0) }
        } else {
            for entry in searchKeys where words.allSatisfy({ entry.key.contains($0) }) {
                let rank = words.allSatisfy { entry.words.contains($0) } ? 0
                    : words.allSatisfy { w in entry.words.contains { $0.hasPrefix(w) } } ? 1 : 2
                hits.append((rank, entry.unit))
            }
        }
        func order(_ h: (rank: Int, unit: AdminUnit)) -> (Int, Int, Int, String) {
            (h.rank, h.unit.era == .from2025 ? 0 : 1, h.unit.level == .province ? 0 : h.unit.level == .district ? 1 : 2, h.unit.code)
        }
        let sorted = hits.sorted { order($0) < order($1) }.map(\.unit)
        return Array(sorted.prefix(limit))
    }
}
