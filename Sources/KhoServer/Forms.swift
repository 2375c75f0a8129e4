// Form bodies (application/x-www-form-urlencoded), read with a size limit, and the random
// tokens of sessions and CSRF.
import Foundation
import Hummingbird
import KhoCore

enum Forms {
    /// The fields of a form body; a repeated name keeps its first value. Malformed percent
    /// escapes are kept as typed rather than failing the whole form.
    static func parse(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            if out[name] == nil { out[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return out
    }

    static func decode(_ text: Substring) -> String {
        let plus = text.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }

    /// Every field of a form body in order, repeated names included (checkboxes, lists).
    static func pairs(_ body: String) -> [(String, String)] {
        body.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// `read`, keeping every field in order.
    static func readPairs(_ request: Request, context: KhoContext, limit: Int = 64 * 1024) async throws -> [(String, String)] {
        pairs(try await body(request, limit: limit))
    }

    static func body(_ request: Request, limit: Int) async throws -> String {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw KhoError(.usage, "this address takes a form (application/x-www-form-urlencoded)")
        }
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch {
            throw KhoError(.payloadTooLarge, "the form is larger than \(limit / 1024) KB")
        }
        return String(buffer: buffer)
    }

    /// The form of `request`, refused unless it is a form and at most `limit` bytes.
    static func read(_ request: Request, context: KhoContext, limit: Int = 64 * 1024) async throws -> [String: String] {
        return parse(try await body(request, limit: limit))
    }
}

enum Tokens {
    /// 32 random bytes from the system's generator, base64url without padding (43 characters).
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var bits = 0, value = 0
        for byte in bytes {
            value = (value << 8) | Int(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(alphabet[(value >> bits) & 63])
            }
        }
        if bits > 0 { out.append(alphabet[(value << (6 - bits)) & 63]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// A password made for a user: 20 characters without look-alikes (no 0/O, 1/l/I).
    static func password() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// 16 random bytes from the system's generator, as 32 lower-case hex digits (an upload's ID).
    static func hex() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.lower((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Compares two tokens in time that does not depend on where they differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
