// A product as the archive holds it: identity, metadata, how it became digital, its files.

public struct Product: Sendable, Equatable {
    public var id: ProductID
    public var metadata: ProductMetadata
    public var digitization: Digitization
    public var files: [StoredFile]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// The archive that created the product, when it is not this one (it came in a bundle):
    /// only that archive may change it through a bundle.
    public var homeArchive: String?

    public init(id: ProductID, metadata: ProductMetadata, digitization: Digitization, files: [StoredFile],
                createdAt: Timestamp, updatedAt: Timestamp, homeArchive: String? = nil) {
        self.id = id
        self.metadata = metadata
        self.digitization = digitization
        self.files = files
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.homeArchive = homeArchive
    }

    /// Digitized = at least one master file in the store (DOMAIN.md, ratio definitions).
    public var isDigitized: Bool { files.contains { $0.role == .master } }
}

public struct StoredFile: Sendable, Equatable {
    /// 1-based position within the product, as `kho get --file N` uses it.
    public var n: Int
    public var sha256: String
    public var size: Int64
    public var name: FileName
    public var role: FileRole
    public var mediaType: String
    public var addedAt: Timestamp

    public init(n: Int, sha256: String, size: Int64, name: FileName, role: FileRole, mediaType: String, addedAt: Timestamp) {
        self.n = n
        self.sha256 = sha256
        self.size = size
        self.name = name
        self.role = role
        self.mediaType = mediaType
        self.addedAt = addedAt
    }
}

/// An instant, kept as UTC ISO 8601 with milliseconds: `2026-11-22T03:10:00.123Z`.
public struct Timestamp: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let iso: String
    public var description: String { iso }
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.iso < rhs.iso }

    public init(iso: String) { self.iso = iso }

    /// Whether `text` is an instant as Kho writes them: `YYYY-MM-DDTHH:MM:SS[.mmm]Z`, a real date.
    public static func isISO(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 20 || b.count == 24, b[10] == UInt8(ascii: "T"), b.last == UInt8(ascii: "Z"),
              case .success = CalendarDate.parse(String(text.prefix(10))),
              let h = Int(String(decoding: b[11..<13], as: UTF8.self)), let m = Int(String(decoding: b[14..<16], as: UTF8.self)),
              let s = Int(String(decoding: b[17..<19], as: UTF8.self)), h < 24, m < 60, s < 61,
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") else { return false }
        return b.count == 20 || (b[19] == UInt8(ascii: ".") && b[20...22].allSatisfy { (48...57).contains($0) })
    }

    /// Seconds since 1970 (UTC), for durations such as a session's age; nil if not an instant
    /// as Kho writes them.
    public var epochSeconds: Double? {
        guard Timestamp.isISO(iso), case .success(let date) = CalendarDate.parse(String(iso.prefix(10))) else { return nil }
        let b = Array(iso.utf8)
        func number(_ r: Range<Int>) -> Double { Double(String(decoding: b[r], as: UTF8.self)) ?? 0 }
        let millis = b.count == 24 ? number(20..<23) / 1000 : 0
        return Double(date.daysSince1970) * 86400 + number(11..<13) * 3600 + number(14..<16) * 60 + number(17..<19) + millis
    }

    public init(epochSeconds: Double) {
        let millis = Int64((epochSeconds * 1000).rounded(.down))
        let days = Int(millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000)
        let msOfDay = Int(millis - Int64(days) * 86_400_000)
        let date = CalendarDate.fromDaysSince1970(days)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        iso = "\(date)T\(pad(msOfDay / 3_600_000, 2)):\(pad(msOfDay / 60000 % 60, 2)):\(pad(msOfDay / 1000 % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }

    public init(from decoder: any Decoder) throws { iso = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(iso)
    }

    /// The calendar date in Vietnam at this instant.
    public var vietnamDate: CalendarDate? {
        guard iso.count >= 19, case .success(let utcDate) = CalendarDate.parse(String(iso.prefix(10))),
              let hour = Int(iso.dropFirst(11).prefix(2)) else { return nil }
        return hour + 7 >= 24 ? CalendarDate.fromDaysSince1970(utcDate.daysSince1970 + 1) : utcDate
    }
}
