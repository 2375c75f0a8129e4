// A list of product IDs as the catalog keeps an export's: a JSON array of hyphenated IDs, the
// text `JSONList` writes. Written and read on the bytes, so that a million IDs cost their
// 22 bytes of text each and 16 bytes each once read, not a string apiece.

extension ProductID {
    /// `["7K3Q-X9M2-PD4R-8WTR","…"]`, the same text as `JSONList.encode` of their descriptions.
    public static func jsonList(_ ids: [ProductID]) -> String {
        let count = ids.isEmpty ? 2 : 2 + 22 * ids.count - 1
        return String(unsafeUninitializedCapacity: count) { out in
            var o = 0
            out[o] = UInt8(ascii: "["); o += 1
            for (n, id) in ids.enumerated() {
                if n > 0 { out[o] = UInt8(ascii: ","); o += 1 }
                out[o] = UInt8(ascii: "\""); o += 1
                for i in 0..<16 {
                    if i > 0 && i % 4 == 0 { out[o] = UInt8(ascii: "-"); o += 1 }
                    out[o] = id.byte(i); o += 1
                }
                out[o] = UInt8(ascii: "\""); o += 1
            }
            out[o] = UInt8(ascii: "]"); o += 1
            return o
        }
    }

    /// The IDs of such a list (any spacing between entries); nil if the text is not a JSON
    /// array of strings that each read as a product ID, and nothing after it.
    public static func list(json text: String) -> [ProductID]? {
        var text = text
        return text.withUTF8 { bytes -> [ProductID]? in
            var i = 0
            func skipSpace() {
                while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
            }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "[") else { return nil }
            i += 1
            var ids: [ProductID] = []
            ids.reserveCapacity(bytes.count / 22)
            func closed() -> [ProductID]? {
                i += 1
                skipSpace()
                return i == bytes.count ? ids : nil
            }
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { return closed() }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
                let start = i + 1
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
                guard end < bytes.count, bytes[end] == UInt8(ascii: "\""),
                      let id = parseASCII(bytes: UnsafeBufferPointer(rebasing: bytes[start..<end])) else { return nil }
                ids.append(id)
                i = end + 1
                skipSpace()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "]") { return closed() }
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        }
    }
}
