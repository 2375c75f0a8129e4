// What a browse page asks of the catalog: whose view (the user's scope and whether restricted
// products are theirs to see), the filters, and where the last page ended (a keyset cursor,
// never an offset, so page 20,000 costs what page 1 does). Pure.

/// What one user may see: the products of a scope, restricted ones only with the right.
public struct Visibility: Sendable, Equatable {
    public var selection: ScopeSelection
    public var includeRestricted: Bool

    public init(selection: ScopeSelection, includeRestricted: Bool) {
        self.selection = selection
        self.includeRestricted = includeRestricted
    }

    /// The whole archive, restricted products included (an admin of the country).
    public static let everything = Visibility(selection: .country, includeRestricted: true)
}

/// Where a page ended: the last product's reference date ("" when it has none) and row.
public struct BrowseCursor: Sendable, Equatable {
    public var referenceDate: String
    public var pk: Int64

    public init(referenceDate: String, pk: Int64) {
        self.referenceDate = referenceDate
        self.pk = pk
    }

    /// `2024-12-10.1234`, or `.1234` for a product without a date: safe in a URL as it is.
    public var token: String { "\(referenceDate).\(pk)" }

    public static func parse(_ token: String) -> BrowseCursor? {
        guard let dot = token.lastIndex(of: "."), let pk = Int64(token[token.index(after: dot)...]), pk > 0 else { return nil }
        let date = String(token[..<dot])
        if !date.isEmpty, case .failure = CalendarDate.parse(date) { return nil }
        return BrowseCursor(referenceDate: date, pk: pk)
    }
}

public struct BrowseQuery: Sendable, Equatable {
    /// The most products one page may hold (the API's `limit`).
    public static let maxLimit = 500
    public var kind: ProductKind?
    public var digitized: Bool?
    public var access: AccessLevel?
    public var from: CalendarDate?
    public var to: CalendarDate?
    /// Words to find, with or without diacritics.
    public var text: String?
    /// A unit (either table): its products and those of the units under it and merged into it,
    /// within what the user sees anyway.
    public var unit: String?
    /// A language tag the product is in, and a channel it went out on.
    public var language: String?
    public var channel: Channel?
    public var after: BrowseCursor?
    public var limit: Int

    public init(kind: ProductKind? = nil, digitized: Bool? = nil, access: AccessLevel? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil,
                text: String? = nil, after: BrowseCursor? = nil, limit: Int = 50) {
        self.kind = kind
        self.digitized = digitized
        self.access = access
        self.from = from
        self.to = to
        self.text = text
        self.after = after
        self.limit = limit
    }
}

extension Visibility {
    /// The view of a user of `role` at today's unit `unit` (nil: the whole archive).
    public static func of(role: UserRole, unit: String?, table: UnitTable) -> Visibility {
        let restricted = Permissions.allows(role, .readRestricted)
        guard let unit, let found = table.unit(unit, era: .from2025) else {
            // A user whose unit is unknown sees nothing rather than everything.
            return Visibility(selection: unit == nil ? .country : .units(old: [], new: []), includeRestricted: restricted)
        }
        if found.level == .province { return Visibility(selection: .provinceToday(found.code), includeRestricted: restricted) }
        let included = table.reportUnits(for: found)
        return Visibility(selection: .units(old: included.filter { $0.era == .before2025 }.map(\.code).sorted(),
                                            new: included.filter { $0.era == .from2025 }.map(\.code).sorted()),
                          includeRestricted: restricted)
    }
}
