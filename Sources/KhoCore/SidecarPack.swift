// A pack of product sidecars: many documents in one file, as a plain POSIX tar (ustar) that any
// tool lists and unpacks, each member named `<sha256>.json` after the SHA-256 of its bytes. A
// large renewal writes one pack instead of a file per product (creating the files was most of
// its cost). Pure: the layout of a pack, and reading one member header at a time.

public enum SidecarPack {
    public static let blockSize = 512

    /// Where a member's bytes are in its pack.
    public struct Member: Sendable, Equatable {
        public var sha256: String
        public var offset: Int64
        public var length: Int64

        public init(sha256: String, offset: Int64, length: Int64) {
            self.sha256 = sha256
            self.offset = offset
            self.length = length
        }
    }

    /// The blocks a member of `length` bytes takes, its header included.
    public static func span(_ length: Int) -> Int {
        blockSize + (length + blockSize - 1) / blockSize * blockSize
    }

    /// The members of a pack of documents of these lengths, in this order: where each one's bytes start.
    public static func layout(_ documents: [(sha256: String, length: Int)]) -> [Member] {
        var offset = 0
        return documents.map { document in
            defer { offset += span(document.length) }
            return Member(sha256: document.sha256, offset: Int64(offset + blockSize), length: Int64(document.length))
        }
    }

    /// The 512-byte ustar header of a member (read-only, owned by nobody in particular).
    /// Filled into a ready block (one for every member of a large renewal: building it field by
    /// field from strings was 8% of the renewal's time); the same bytes as `referenceHeader`.
    public static func header(sha256: String, length: Int, modified: Int) -> [UInt8] {
        let name = sha256.utf8.count + 5
        let limit = 1 << 33   // 11 octal digits
        guard name <= 100, length >= 0, length < limit, modified < limit else {
            return referenceHeader(sha256: sha256, length: length, modified: modified)
        }
        var block = template
        block.withUnsafeMutableBufferPointer { b in
            var at = 0
            for byte in sha256.utf8 { b[at] = byte; at += 1 }
            for byte in ".json".utf8 { b[at] = byte; at += 1 }
            func octal(_ value: Int, at offset: Int) {
                var v = value
                for i in stride(from: offset + 10, through: offset, by: -1) {
                    b[i] = UInt8(truncatingIfNeeded: 48 + v & 7)
                    v >>= 3
                }
            }
            octal(length, at: 124)
            octal(max(0, modified), at: 136)
            var sum = 0
            for byte in b { sum += Int(byte) }
            // Six digits, then the two spaces already there.
            for i in stride(from: 153, through: 148, by: -1) {
                b[i] = UInt8(truncatingIfNeeded: 48 + sum & 7)
                sum >>= 3
            }
        }
        return block
    }

    /// Every field but the name, size, time and checksum (spaces while it is summed).
    private static let template: [UInt8] = referenceHeader(sha256: "", length: 0, modified: 0).enumerated().map { i, byte in
        switch i {
        case 0..<100: return 0
        case 148..<156: return 32
        default: return byte
        }
    }

    /// The header field by field, as a tar's documentation describes it: what `header` must
    /// write, and what it writes for a name or number too long for its fast path.
    static func referenceHeader(sha256: String, length: Int, modified: Int) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ text: String, at offset: Int) {
            for (i, byte) in text.utf8.enumerated() { block[offset + i] = byte }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        put("\(sha256).json", at: 0)
        put(octal(0o444, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(length, width: 12), at: 124)
        put(octal(max(0, modified), width: 12), at: 136)
        put("        ", at: 148)
        block[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7), at: 148)
        block[155] = UInt8(ascii: " ")
        return block
    }

    /// What a header block says.
    public enum Entry: Equatable {
        /// A sidecar: its name's digest and its length (its bytes follow the header).
        case member(sha256: String, length: Int64)
        /// Another file, or a name that is not a sidecar's: `length` bytes to pass over.
        case other(length: Int64)
        /// A zero block: the end of the pack.
        case end
    }

    public struct Malformed: Error, Equatable {
        public var message: String
    }

    /// Reads one header block (as Kho writes them, or any ustar/GNU tar's regular-file header).
    public static func entry(_ block: [UInt8]) -> Result<Entry, Malformed> {
        guard block.count == blockSize else { return .failure(Malformed(message: "a header block is cut short")) }
        if block.allSatisfy({ $0 == 0 }) { return .success(.end) }
        guard let stored = number(block[148..<156]) else { return .failure(Malformed(message: "a header's checksum is not a number")) }
        let sum = block.indices.reduce(0) { $0 + ((148..<156).contains($1) ? 32 : Int(block[$1])) }
        guard Int64(sum) == stored else { return .failure(Malformed(message: "a header's checksum does not match (damaged)")) }
        guard let length = number(block[124..<136]), length >= 0 else { return .failure(Malformed(message: "a header's size is not a number")) }
        let name = String(decoding: block[0..<100].prefix { $0 != 0 }, as: UTF8.self)
        let type = block[156]
        let regular = type == UInt8(ascii: "0") || type == 0
        // Only a regular member named like a sidecar, with no prefix folder, is one.
        if regular, block[345] == 0, name.hasSuffix(".json"), name.utf8.count == 69,
           name.utf8.prefix(64).allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) {
            return .success(.member(sha256: String(name.dropLast(5)), length: length))
        }
        return .success(.other(length: regular || type == UInt8(ascii: "x") || type == UInt8(ascii: "g") ? length : 0))
    }

    /// An octal field: digits, optionally led by spaces and ended by a NUL or a space.
    static func number(_ field: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        var ended = false
        for byte in field {
            switch byte {
            case UInt8(ascii: " ") where digits == 0 && !ended: continue
            case 0, UInt8(ascii: " "): ended = true
            case UInt8(ascii: "0")...UInt8(ascii: "7") where !ended:
                guard value < Int64.max >> 3 else { return nil }
                value = value << 3 + Int64(byte - UInt8(ascii: "0"))
                digits += 1
            default: return nil
            }
        }
        return digits > 0 ? value : nil
    }

    /// A pack's file name: its number, zero-padded so that names sort as numbers do.
    public static func fileName(_ number: Int64) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 10 - digits.count)) + digits + ".tar"
    }

    /// The number of a pack from its file name (nil for any other name).
    public static func number(fileName name: String) -> Int64? {
        guard name.hasSuffix(".tar"), name.utf8.count == 14 else { return nil }
        let digits = name.dropLast(4)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits), value > 0 else { return nil }
        return value
    }
}
