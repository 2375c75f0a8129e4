// An OAI-PMH 2.0 request as the protocol defines it: the verb and its arguments checked to the
// letter (required, optional, exclusive, repeated, unknown), dates of the repository's
// granularity. Pure: the arguments come in as the pairs of a query string or a form body.

public enum OAIVerb: String, Sendable, CaseIterable {
    case identify = "Identify"
    case listMetadataFormats = "ListMetadataFormats"
    case listSets = "ListSets"
    case getRecord = "GetRecord"
    case listIdentifiers = "ListIdentifiers"
    case listRecords = "ListRecords"
}

/// The protocol's error codes (OAI-PMH 2.0, section 3.6).
public enum OAIErrorCode: String, Sendable {
    case badArgument, badResumptionToken, badVerb, cannotDisseminateFormat, idDoesNotExist
    case noRecordsMatch, noMetadataFormats, noSetHierarchy
}

public struct OAIError: Error, Sendable, Equatable {
    public var code: OAIErrorCode
    public var message: String
    public init(_ code: OAIErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// A selective harvest: a format, an optional set, and inclusive bounds in seconds since 1970.
public struct OAISelection: Sendable, Equatable {
    public var metadataPrefix: String
    public var set: String?
    public var from: Int64?
    public var until: Int64?
    public init(metadataPrefix: String, set: String? = nil, from: Int64? = nil, until: Int64? = nil) {
        self.metadataPrefix = metadataPrefix
        self.set = set
        self.from = from
        self.until = until
    }
}

public enum OAIRequest: Sendable, Equatable {
    case identify
    case listMetadataFormats(identifier: String?)
    case listSets(token: String?)
    case getRecord(identifier: String, metadataPrefix: String)
    /// `records`: ListRecords (else ListIdentifiers); a first page, or the next by its token.
    case list(records: Bool, OAISelection)
    case listNext(records: Bool, token: String)

    /// The request's arguments as received (echoed in the response's request element unless
    /// the verb or the arguments were bad).
    public typealias Arguments = [(name: String, value: String)]

    public static func parse(_ arguments: Arguments) -> Result<OAIRequest, OAIError> {
        let verbs = arguments.filter { $0.name == "verb" }
        guard verbs.count == 1 else {
            return .failure(OAIError(.badVerb, verbs.isEmpty ? "the request has no verb" : "the verb is given more than once"))
        }
        guard let verb = OAIVerb(rawValue: verbs[0].value) else {
            return .failure(OAIError(.badVerb, "'\(verbs[0].value)' is not an OAI-PMH verb (Identify, ListMetadataFormats, ListSets, GetRecord, ListIdentifiers, ListRecords)"))
        }
        var given: [String: String] = [:]
        for (name, value) in arguments where name != "verb" {
            guard given[name] == nil else { return .failure(OAIError(.badArgument, "the argument \(name) is given more than once")) }
            given[name] = value
        }
        let allowed: Set<String> = switch verb {
        case .identify: []
        case .listMetadataFormats: ["identifier"]
        case .listSets: ["resumptionToken"]
        case .getRecord: ["identifier", "metadataPrefix"]
        case .listIdentifiers, .listRecords: ["metadataPrefix", "from", "until", "set", "resumptionToken"]
        }
        if let unknown = given.keys.sorted().first(where: { !allowed.contains($0) }) {
            return .failure(OAIError(.badArgument, "\(verb.rawValue) takes no argument \(unknown)"))
        }
        if given["resumptionToken"] != nil, given.count > 1 {
            return .failure(OAIError(.badArgument, "resumptionToken is an exclusive argument: give it alone with the verb"))
        }
        switch verb {
        case .identify:
            return .success(.identify)
        case .listMetadataFormats:
            return .success(.listMetadataFormats(identifier: given["identifier"]))
        case .listSets:
            return .success(.listSets(token: given["resumptionToken"]))
        case .getRecord:
            guard let identifier = given["identifier"], let prefix = given["metadataPrefix"] else {
                return .failure(OAIError(.badArgument, "GetRecord needs both identifier and metadataPrefix"))
            }
            if let bad = badPrefix(prefix) { return .failure(bad) }
            return .success(.getRecord(identifier: identifier, metadataPrefix: prefix))
        case .listIdentifiers, .listRecords:
            let records = verb == .listRecords
            if let token = given["resumptionToken"] { return .success(.listNext(records: records, token: token)) }
            guard let prefix = given["metadataPrefix"] else {
                return .failure(OAIError(.badArgument, "\(verb.rawValue) needs metadataPrefix (or a resumptionToken)"))
            }
            if let bad = badPrefix(prefix) { return .failure(bad) }
            return selection(prefix: prefix, set: given["set"], from: given["from"], until: given["until"])
                .map { .list(records: records, $0) }
        }
    }

    /// A metadataPrefix the schema's pattern refuses: letters, digits and -_.!~*'() only.
    static func badPrefix(_ prefix: String) -> OAIError? {
        let fine = !prefix.isEmpty && prefix.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || "-_.!~*'()".utf8.contains(c)
        }
        return fine ? nil : OAIError(.badArgument, "metadataPrefix '\(prefix)' is not a metadata prefix (letters, digits and -_.!~*'() only)")
    }

    static func selection(prefix: String, set: String?, from: String?, until: String?) -> Result<OAISelection, OAIError> {
        var bounds: (from: OAIDate?, until: OAIDate?) = (nil, nil)
        if let from {
            guard let date = OAIDate.parse(from) else { return .failure(OAIError(.badArgument, "from '\(from)' is not a date of the form YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")) }
            bounds.from = date
        }
        if let until {
            guard let date = OAIDate.parse(until) else { return .failure(OAIError(.badArgument, "until '\(until)' is not a date of the form YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")) }
            bounds.until = date
        }
        if let f = bounds.from, let u = bounds.until {
            guard f.granularity == u.granularity else { return .failure(OAIError(.badArgument, "from and until must have the same granularity")) }
            guard f.first <= u.last else { return .failure(OAIError(.badArgument, "from (\(from!)) is later than until (\(until!))")) }
        }
        if let set, !OAISetSpec.isWellFormed(set) {
            return .failure(OAIError(.badArgument, "set '\(set)' is not a setSpec (parts of letters, digits and -_.!~*'() separated by ':')"))
        }
        return .success(OAISelection(metadataPrefix: prefix, set: set, from: bounds.from?.first, until: bounds.until?.last))
    }
}

/// A date argument: a day (covering all its seconds) or a second, in UTC, of any year from
/// 0001 to 9999 (harvesters ask from 0001-01-01 or until 9999-12-31 to mean "all"; XML
/// Schema has no year 0000).
public struct OAIDate: Sendable, Equatable {
    public enum Granularity: Sendable { case day, second }
    public var granularity: Granularity
    /// The first and last second the date covers (seconds since 1970, UTC).
    public var first: Int64
    public var last: Int64

    /// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    public static let earliest = Int64(daysFromCivil(0, 1, 1)) * 86400
    public static let latest = Int64(daysFromCivil(9999, 12, 31)) * 86400 + 86399

    public static func parse(_ text: String) -> OAIDate? {
        let b = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                n = n * 10 + Int(b[i] - 0x30)
            }
            return n
        }
        guard b.count == 10 || b.count == 20, b[4] == 0x2D, b[7] == 0x2D,
              let year = digits(0..<4), year >= 1, let month = digits(5..<7), let day = digits(8..<10),
              (1...12).contains(month), day >= 1, day <= daysIn(year, month) else { return nil }
        let midnight = Int64(daysFromCivil(year, month, day)) * 86400
        if b.count == 10 { return OAIDate(granularity: .day, first: midnight, last: midnight + 86399) }
        guard b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x5A,
              let h = digits(11..<13), let m = digits(14..<16), let s = digits(17..<19), h < 24, m < 60, s < 60 else { return nil }
        let at = midnight + Int64(h * 3600 + m * 60 + s)
        return OAIDate(granularity: .second, first: at, last: at)
    }

    /// `YYYY-MM-DDThh:mm:ssZ` of a second since 1970 (clamped to years 0000-9999).
    public static func format(_ seconds: Int64) -> String {
        let t = min(max(seconds, earliest), latest)
        let days = t >= 0 ? t / 86400 : (t - 86399) / 86400
        let rest = Int(t - days * 86400)
        let (y, m, d) = civilFromDays(Int(days))
        func pad(_ n: Int, _ width: Int) -> String {
            let text = String(n)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest / 60 % 60, 2)):\(pad(rest % 60, 2))Z"
    }

    static func daysIn(_ year: Int, _ month: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// The calendar's arithmetic, without CalendarDate's range of years.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int { CalendarDate.days(year: year, month: month, day: day) }
    static func civilFromDays(_ days: Int) -> (Int, Int, Int) { CalendarDate.civil(fromDays: days) }
}
