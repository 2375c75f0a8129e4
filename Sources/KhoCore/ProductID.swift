// Product IDs: unique across every office without coordination, easy to read
// aloud and type. 75 random bits in Crockford base32 (no I, L, O, U) plus a
// Luhn mod 32 check character that catches any single mistyped character and
// most swapped neighbours: `7K3Q-X9M2-PD4R-8WTR`. An import's public products get theirs
// in runs (ProductIDRuns): the first four characters are drawn once for a run of IDs.

public struct ProductID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The 16 ASCII characters without hyphens, eight in each integer, the first in the high
    /// byte: 16 bytes an ID and nothing on the heap (an archive's export selection holds a
    /// million of them), and comparing the integers compares the text.
    private let high: UInt64
    private let low: UInt64

    /// The 16 characters without hyphens, upper case.
    public var compact: String {
        String(unsafeUninitializedCapacity: 16) { out in
            for i in 0..<16 { out[i] = byte(i) }
            return 16
        }
    }

    /// `7K3Q-X9M2-PD4R-8WTR`.
    public var description: String {
        String(unsafeUninitializedCapacity: 19) { out in
            var o = 0
            for i in 0..<16 {
                if i > 0 && i % 4 == 0 { out[o] = 45; o += 1 }
                out[o] = byte(i); o += 1
            }
            return 19
        }
    }

    /// Character `i` (0 to 15) as its ASCII byte.
    func byte(_ i: Int) -> UInt8 {
        UInt8(truncatingIfNeeded: (i < 8 ? high : low) >> UInt64(8 * (7 - i % 8)))
    }

    public static func < (lhs: ProductID, rhs: ProductID) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    static let values: [Character: Int] = {
        var table: [Character: Int] = [:]
        for (i, c) in alphabet.enumerated() { table[c] = i }
        // Crockford's forgiving reading: I and L are 1, O is 0.
        table["I"] = 1; table["L"] = 1; table["O"] = 0
        return table
    }()

    /// From the 16 digit values (each 0 to 31, the check digit last).
    private init(digits: some Collection<Int>) {
        var high: UInt64 = 0, low: UInt64 = 0
        for (i, value) in digits.enumerated() {
            let byte = UInt64(Self.alphabetBytes[value])
            if i < 8 { high = high << 8 | byte } else { low = low << 8 | byte }
        }
        self.high = high
        self.low = low
    }

    /// Encoded as the hyphenated text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch ProductID.parse(text) {
        case .success(let id): self = id
        case .failure(let problem): throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: problem.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// A new random ID. The generator is a parameter so tests can be repeatable.
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> ProductID {
        // 75 random bits from two draws: the first 4 digits from one, the other 11 from the next.
        generate(prefix: digits(4, of: generator.next()), using: &generator)
    }

    /// A new ID with the given first four digits (each 0 to 31) and 55 random bits after them.
    static func generate<G: RandomNumberGenerator>(prefix: [Int], using generator: inout G) -> ProductID {
        precondition(prefix.count == 4 && prefix.allSatisfy { (0..<32).contains($0) }, "a prefix is four digits")
        var digits = prefix + Self.digits(11, of: generator.next())
        digits.append(checkValue(for: digits))
        return ProductID(digits: digits)
    }

    /// `count` digits (0 to 31) from the low bits of a random draw, five bits each.
    static func digits(_ count: Int, of draw: UInt64) -> [Int] {
        (0..<count).map { Int((draw >> (5 * UInt64($0))) & 31) }
    }

    /// Reads an ID as a person may type it: any case, with or without hyphens or
    /// spaces, O for 0 and I or L for 1. Rejects a wrong check character.
    public static func parse(_ input: String) -> Result<ProductID, Problem> {
        if let fast = parseASCII(input) { return .success(fast) }
        return parseCarefully(input)
    }

    /// `parse` on Characters, saying what is wrong.
    static func parseCarefully(_ input: String) -> Result<ProductID, Problem> {
        let text = input.trimmingWhitespace()
        var digits: [Int] = []
        for c in text.uppercased() where c != "-" && c != " " {
            guard let v = values[c] else {
                return .failure(Problem(code: .malformedProductId, field: "product ID", value: text,
                    expected: "a product ID like 7K3Q-X9M2-PD4R-8WTR (16 characters from 0-9 and A-Z without I, L, O, U); '\(c)' cannot appear"))
            }
            digits.append(v)
        }
        guard digits.count == 16 else {
            return .failure(Problem(code: .malformedProductId, field: "product ID", value: text,
                expected: "a product ID has 16 characters (like 7K3Q-X9M2-PD4R-8WTR), this has \(digits.count)"))
        }
        guard checkValue(for: digits.prefix(15)) == digits[15] else {
            return .failure(Problem(code: .mistypedProductId, field: "product ID", value: text,
                expected: "the check character does not match: a character is mistyped or two are swapped"))
        }
        return .success(ProductID(digits: digits))
    }

    /// Digit values of ASCII bytes (either case, Crockford's readings), -1 for none.
    private static let asciiValues: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (c, v) in values { table[Int(c.asciiValue!)] = Int8(v); table[Int(Character(c.lowercased()).asciiValue!)] = Int8(v) }
        return table
    }()

    /// The common case, read on the bytes: an ASCII ID in any case, hyphens or spaces
    /// between, a right check character. Nil sends everything else the careful way (which
    /// also says what is wrong).
    static func parseASCII(_ input: String) -> ProductID? { parseASCII(bytes: input.utf8) }

    /// `parseASCII` on any bytes (an ID inside a longer text, say).
    static func parseASCII(bytes: some Sequence<UInt8>) -> ProductID? {
        var digits: [Int] = []
        digits.reserveCapacity(16)
        for byte in bytes {
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: " ") { continue }
            guard byte < 128, digits.count < 16 else { return nil }
            let v = asciiValues[Int(byte)]
            guard v >= 0 else { return nil }
            digits.append(Int(v))
        }
        guard digits.count == 16, checkValue(for: digits[0..<15]) == digits[15] else { return nil }
        return ProductID(digits: digits)
    }

    private static let alphabetBytes: [UInt8] = alphabet.map { $0.asciiValue! }

    /// Luhn mod N over base32 digit values.
    static func checkValue(for digits: some BidirectionalCollection<Int>) -> Int {
        var factor = 2
        var sum = 0
        for value in digits.reversed() {
            var addend = factor * value
            factor = factor == 2 ? 1 : 2
            addend = addend / 32 + addend % 32
            sum += addend
        }
        return (32 - sum % 32) % 32
    }
}
