// What `kho list` (and later the web page) can ask for.

public struct ProductFilter: Sendable, Equatable {
    public var kind: ProductKind?
    public var unit: UnitCode?
    public var language: LanguageTag?
    public var channel: Channel?
    public var digitized: Bool?
    /// Inclusive bounds on the reference date (publication, else production).
    public var from: CalendarDate?
    public var to: CalendarDate?
    /// nil for no limit.
    public var limit: Int?

    public init(kind: ProductKind? = nil, unit: UnitCode? = nil, language: LanguageTag? = nil, channel: Channel? = nil,
                digitized: Bool? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil, limit: Int? = nil) {
        self.kind = kind
        self.unit = unit
        self.language = language
        self.channel = channel
        self.digitized = digitized
        self.from = from
        self.to = to
        self.limit = limit
    }
}
