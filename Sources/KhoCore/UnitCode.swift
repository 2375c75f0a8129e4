// Administrative unit codes (national statistical code table, Decision 124/2004/QĐ-TTg).
// This checks the shape of a code; whether it existed on a date is the unit table's job.

public struct UnitCode: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public enum Level: String, Sendable, Codable {
        case province, district, commune
    }

    public let value: String
    public var description: String { value }
    public static func < (lhs: UnitCode, rhs: UnitCode) -> Bool { lhs.value < rhs.value }

    public var level: Level {
        switch value.count {
        case 2: .province
        case 3: .district
        default: .commune
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch UnitCode.parse(text) {
        case .success(let code): self = code
        case .failure(let problem):
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: problem.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    private init(unchecked value: String) { self.value = value }

    /// 2 digits for a province, 3 for a district (before 1 July 2025), 5 for a commune.
    public static func parse(_ input: String) -> Result<UnitCode, Problem> {
        let text = input.trimmingWhitespace()
        let digitsOnly = !text.isEmpty && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
        guard digitsOnly, [2, 3, 5].contains(text.count) else {
            var hint = ""
            if digitsOnly, text.count == 1 || text.count == 4 {
                hint = " (codes keep their leading zeros: Excel may have dropped one)"
            }
            return .failure(Problem(code: .invalidUnitCode, field: "unit", value: text,
                expected: "a unit code from the national table: 2 digits for a province, 3 for a district, 5 for a commune, e.g. 01 or 00004\(hint)"))
        }
        return .success(UnitCode(unchecked: text))
    }
}
