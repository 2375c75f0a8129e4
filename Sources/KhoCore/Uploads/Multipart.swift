// A multipart/form-data body (RFC 7578) read as it streams: what a browser sends when a form
// with a file input is submitted without JavaScript. Fed chunk by chunk, it gives back events
// (a part begins, bytes of it, it ends) and keeps only a delimiter's length of bytes between
// chunks, so a file of any size passes with flat memory. Pure: no I/O.

/// One thing found in the body, in order.
public enum MultipartEvent: Equatable, Sendable {
    /// A part begins: its field name, its file name (nil for a plain field) and media type.
    case begin(name: String, fileName: [UInt8]?, contentType: String?)
    /// Bytes of the current part's content.
    case bytes([UInt8])
    /// The current part is over.
    case end
}

public struct MultipartParser: Sendable {
    private enum State: Sendable { case preamble, headers, body, afterDelimiter, done }

    /// "\r\n--BOUNDARY": what ends a part (the first one is found as if a CRLF came before the body).
    private let delimiter: [UInt8]
    private var pending: [UInt8] = [13, 10]
    private var state = State.preamble
    /// Longest header block of one part.
    public static let maxHeaderBytes = 8 * 1024

    /// The parser for a body of `contentType` (`multipart/form-data; boundary=…`), or nil when
    /// it is not one or names no usable boundary.
    public init?(contentType: String) {
        guard let boundary = Self.boundary(contentType) else { return nil }
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// The boundary parameter of a multipart/form-data media type (1–70 characters, RFC 2046).
    public static func boundary(_ contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { String($0).trimmingWhitespace() }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].trimmingWhitespace().lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingWhitespace()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard (1...70).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F || $0 == 0x20 }) else { return nil }
            return value
        }
        return nil
    }

    /// Whether the closing delimiter has been read.
    public var isComplete: Bool { if case .done = state { true } else { false } }

    /// The events of the next chunk of the body.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws(KhoError) -> [MultipartEvent] {
        if case .done = state { return [] }
        pending.append(contentsOf: chunk)
        var events: [MultipartEvent] = []
        var position = 0
        loop: while true {
            switch state {
            case .preamble, .body:
                if let at = Self.find(delimiter, in: pending, from: position) {
                    if case .body = state {
                        if at > position { events.append(.bytes(Array(pending[position..<at]))) }
                        events.append(.end)
                    }
                    position = at + delimiter.count
                    state = .afterDelimiter
                } else {
                    // Keep what could be the start of a delimiter split across chunks.
                    let safe = max(position, pending.count - (delimiter.count - 1))
                    if case .body = state, safe > position { events.append(.bytes(Array(pending[position..<safe]))) }
                    position = safe
                    break loop
                }
            case .afterDelimiter:
                // "--" closes the body; otherwise optional spaces, then CRLF and the next part's headers.
                guard pending.count - position >= 2 else { break loop }
                if pending[position] == 0x2D && pending[position + 1] == 0x2D {
                    state = .done
                    position = pending.count
                    break loop
                }
                var i = position
                while i < pending.count, pending[i] == 0x20 || pending[i] == 0x09 { i += 1 }
                guard pending.count - i >= 2 else {
                    if i - position > 64 { throw Self.malformed("quá nhiều khoảng trắng sau boundary") }
                    break loop
                }
                guard pending[i] == 13, pending[i + 1] == 10 else { throw Self.malformed("sau boundary không xuống dòng") }
                position = i + 2
                state = .headers
            case .headers:
                if pending.count - position >= 2, pending[position] == 13, pending[position + 1] == 10 {
                    throw Self.malformed("một phần không có tiêu đề")
                }
                guard let end = Self.find([13, 10, 13, 10], in: pending, from: position) else {
                    if pending.count - position > Self.maxHeaderBytes { throw Self.malformed("tiêu đề của một phần dài hơn \(Self.maxHeaderBytes) byte") }
                    break loop
                }
                events.append(try Self.begin(Array(pending[position..<end])))
                position = end + 4
                state = .body
            case .done:
                break loop
            }
        }
        pending.removeFirst(min(position, pending.count))
        return events
    }

    /// Checks that the body ended where it should (after the closing delimiter).
    public func finish() throws(KhoError) {
        guard isComplete else { throw Self.malformed("dữ liệu kết thúc trước boundary cuối, có lẽ đường truyền bị ngắt") }
    }

    static func malformed(_ what: String) -> KhoError {
        KhoError(.usage, "Biểu mẫu gửi lên không đúng dạng multipart/form-data (\(what)); chưa lưu gì.")
    }

    /// The first place `needle` occurs in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count - from >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { h -> Int? in
            needle.withUnsafeBufferPointer { n -> Int? in
                var i = from
                let last = h.count - n.count
                while i <= last {
                    if h[i] == first {
                        var j = 1
                        while j < n.count, h[i + j] == n[j] { j += 1 }
                        if j == n.count { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }

    /// A part's header block: its Content-Disposition (form-data, a name, maybe a file name)
    /// and Content-Type.
    static func begin(_ block: [UInt8]) throws(KhoError) -> MultipartEvent {
        var name: String?
        var fileName: [UInt8]?
        var contentType: String?
        for line in block.split(separator: 10) {
            let text = line.last == 13 ? line.dropLast() : line
            guard let colon = text.firstIndex(of: 0x3A) else { continue }
            let field = String(decoding: text[..<colon], as: UTF8.self).trimmingWhitespace().lowercased()
            let value = Array(text[(colon + 1)...])
            switch field {
            case "content-disposition":
                let parameters = Self.parameters(value)
                name = parameters["name"].map { String(decoding: $0, as: UTF8.self) }
                fileName = parameters["filename"]
            case "content-type":
                contentType = String(decoding: value, as: UTF8.self).trimmingWhitespace()
            default:
                continue
            }
        }
        guard let name else { throw malformed("một phần không có tên (Content-Disposition name)") }
        return .begin(name: name, fileName: fileName, contentType: contentType)
    }

    /// `form-data; name="a"; filename="b c.jpg"` as its parameters, values as bytes (browsers
    /// send file names as UTF-8 and escape `"`, CR and LF as %22, %0D, %0A).
    static func parameters(_ value: [UInt8]) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        var i = 0
        func skipSpaces() { while i < value.count, value[i] == 0x20 || value[i] == 0x09 { i += 1 } }
        // The disposition type first.
        while i < value.count, value[i] != 0x3B { i += 1 }
        while i < value.count {
            i += 1  // the ';'
            skipSpaces()
            var key: [UInt8] = []
            while i < value.count, value[i] != 0x3D, value[i] != 0x3B { key.append(value[i]); i += 1 }
            guard i < value.count, value[i] == 0x3D else { continue }
            i += 1
            skipSpaces()
            var text: [UInt8] = []
            if i < value.count, value[i] == 0x22 {
                i += 1
                while i < value.count, value[i] != 0x22 {
                    if value[i] == 0x5C, i + 1 < value.count { i += 1 }
                    text.append(value[i])
                    i += 1
                }
                i += 1
                while i < value.count, value[i] != 0x3B { i += 1 }
            } else {
                while i < value.count, value[i] != 0x3B { text.append(value[i]); i += 1 }
                while text.last == 0x20 || text.last == 0x09 { text.removeLast() }
            }
            let name = String(decoding: key, as: UTF8.self).trimmingWhitespace().lowercased()
            if out[name] == nil { out[name] = Self.unescape(text) }
        }
        return out
    }

    /// %22, %0D, %0A (the escapes browsers use in these values) back to their bytes.
    static func unescape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x25, i + 2 < bytes.count {
                let pair = String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self).uppercased()
                if let byte = ["22": UInt8(0x22), "0D": 13, "0A": 10][pair] { out.append(byte); i += 3; continue }
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }
}
