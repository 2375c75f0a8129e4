// The few XML documents S3 answers with (listings, errors, upload ids), read into a small tree
// by a strict little reader with bounds: element names without their prefix, text with the five
// entities and character references decoded. Anything else is a malformed answer, not a crash.
public struct S3XMLElement: Sendable, Equatable {
    public var name: String
    public var text: String
    public var children: [S3XMLElement]

    public func child(_ name: String) -> S3XMLElement? { children.first { $0.name == name } }
    public func all(_ name: String) -> [S3XMLElement] { children.filter { $0.name == name } }
    /// The text of the child `name` (nil when there is none).
    public subscript(_ name: String) -> String? { child(name)?.text }
}

public enum S3XML {
    public struct Malformed: Error, Sendable { public var why: String }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = 32) throws(Malformed) -> S3XMLElement {
        var stack: [S3XMLElement] = []
        var root: S3XMLElement?
        var i = 0
        let n = bytes.count
        func fail(_ why: String) -> Malformed { Malformed(why: "\(why) at byte \(i)") }
        while i < n {
            if bytes[i] != 0x3C {
                let start = i
                while i < n && bytes[i] != 0x3C { i += 1 }
                let text = try decode(bytes[start..<i])
                if stack.isEmpty {
                    guard text.allSatisfy({ $0.isWhitespace }) else { throw fail("text outside the root element") }
                } else {
                    stack[stack.count - 1].text += text
                }
                continue
            }
            // A tag, a declaration, a comment or CDATA.
            if bytes[i...].starts(with: Array("<?".utf8)) {
                guard let end = find(bytes, Array("?>".utf8), from: i) else { throw fail("an unterminated declaration") }
                i = end + 2
            } else if bytes[i...].starts(with: Array("<!--".utf8)) {
                guard let end = find(bytes, Array("-->".utf8), from: i) else { throw fail("an unterminated comment") }
                i = end + 3
            } else if bytes[i...].starts(with: Array("<![CDATA[".utf8)) {
                guard let end = find(bytes, Array("]]>".utf8), from: i), !stack.isEmpty else { throw fail("a misplaced CDATA section") }
                stack[stack.count - 1].text += String(decoding: bytes[(i + 9)..<end], as: UTF8.self)
                i = end + 3
            } else if i + 1 < n && bytes[i + 1] == 0x21 {
                throw fail("a document type or other declaration")
            } else {
                guard let end = bytes[i...].firstIndex(of: 0x3E) else { throw fail("an unterminated tag") }
                let inner = bytes[(i + 1)..<end]
                i = end + 1
                if inner.first == 0x2F {
                    let name = localName(inner.dropFirst())
                    guard let open = stack.popLast(), open.name == name else { throw fail("a closing tag </\(name)> that closes nothing open") }
                    if stack.isEmpty {
                        guard root == nil else { throw fail("a second root element") }
                        root = open
                    } else {
                        stack[stack.count - 1].children.append(open)
                    }
                    continue
                }
                let selfClosing = inner.last == 0x2F
                let element = S3XMLElement(name: localName(selfClosing ? inner.dropLast() : inner), text: "", children: [])
                guard !element.name.isEmpty else { throw fail("an empty tag") }
                if selfClosing {
                    if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
                } else {
                    guard stack.count < maxDepth else { throw fail("elements nested too deep") }
                    stack.append(element)
                }
            }
        }
        guard stack.isEmpty, let root else { throw Malformed(why: stack.isEmpty ? "no root element" : "<\(stack.last!.name)> is never closed") }
        return root
    }

    /// An element's name without attributes or a namespace prefix.
    static func localName(_ tag: ArraySlice<UInt8>) -> String {
        let name = tag.prefix { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        let local = name.lastIndex(of: 0x3A).map { name[($0 + 1)...] } ?? name
        return String(decoding: local, as: UTF8.self)
    }

    static func find(_ bytes: [UInt8], _ needle: [UInt8], from: Int) -> Int? {
        var i = from
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    static func decode(_ raw: ArraySlice<UInt8>) throws(Malformed) -> String {
        guard raw.contains(0x26) else { return String(decoding: raw, as: UTF8.self) }
        var out = [UInt8]()
        var i = raw.startIndex
        while i < raw.endIndex {
            guard raw[i] == 0x26 else { out.append(raw[i]); i += 1; continue }
            guard let semi = raw[i...].prefix(12).firstIndex(of: 0x3B) else { throw Malformed(why: "an unterminated entity") }
            let name = String(decoding: raw[(i + 1)..<semi], as: UTF8.self)
            switch name {
            case "amp": out.append(0x26)
            case "lt": out.append(0x3C)
            case "gt": out.append(0x3E)
            case "quot": out.append(0x22)
            case "apos": out.append(0x27)
            default:
                let value: UInt32?
                if name.hasPrefix("#x") { value = UInt32(name.dropFirst(2), radix: 16) } else if name.hasPrefix("#") { value = UInt32(name.dropFirst()) } else { value = nil }
                guard let value, let scalar = Unicode.Scalar(value) else { throw Malformed(why: "an unknown entity &\(name);") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            i = semi + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Text escaped for an element's content.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
