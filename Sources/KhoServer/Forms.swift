// Form bodies (application/x-www-form-urlencoded), read with a size limit, and the random
// tokens of sessions and CSRF.
import Foundation
import Hummingbird
import KhoCore
import KhoPlatform

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

    /// A JSON body of at most `limit` bytes decoded as `T`: 415 for another type, 422 for JSON
    /// that is malformed or not shaped as asked (the decoder's complaint names the field).
    static func json<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int = 64 * 1024) async throws -> T {
        try await jsonObject(type, request, limit: limit, fields: nil).value
    }

    /// A JSON object body decoded as `T`, refused (422) when it names a field not in `fields`;
    /// also says which fields it gives as null (to clear them).
    static func jsonObject<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int = 64 * 1024,
                                         fields: Set<String>?) async throws -> (value: T, nulls: Set<String>) {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw KhoError(.unsupportedMediaType, "this address takes JSON (Content-Type: application/json)")
        }
        let data = Data(buffer: try await collect(request, limit: limit, what: "the body"))
        let value = try decode(T.self, data)
        guard let fields else { return (value, []) }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw KhoError(.malformedJson, "the body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw KhoError(.malformedJson, "\(unknown): not a field of this address; the fields are \(fields.sorted().joined(separator: ", "))")
        }
        return (value, Set(object.filter { $0.value is NSNull }.keys))
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: data) } catch let error as DecodingError {
            // Said in JSON's words, never the decoder's (which names Swift types).
            let message: String
            switch error {
            case .typeMismatch(let type, let c): message = "\(Self.path(c.codingPath)): expected \(Self.jsonKind(type))"
            case .valueNotFound(let type, let c): message = "\(Self.path(c.codingPath)) is null: expected \(Self.jsonKind(type))"
            case .keyNotFound(let key, let c): message = "\(Self.path(c.codingPath + [key])) is missing"
            case .dataCorrupted(let c): message = c.codingPath.isEmpty ? "the body is not valid JSON" : "\(Self.path(c.codingPath)) is not a valid value"
            @unknown default: message = "the body is not what this address takes"
            }
            throw KhoError(.malformedJson, message)
        } catch {
            throw KhoError(.malformedJson, "the body is not valid JSON")
        }
    }

    /// What JSON value a Swift type is read from: "a string", "a list"…
    static func jsonKind(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Array") { return "a list" }
        if name.hasPrefix("Dictionary") { return "an object" }
        if name.hasPrefix("String") { return "a string" }
        if name.hasPrefix("Bool") { return "true or false" }
        if name.hasPrefix("Int") || name.hasPrefix("Double") || name.hasPrefix("Float") { return "a number" }
        return "another kind of value"
    }

    /// The body of `request`, at most `limit` bytes (413 beyond, naming `what`).
    static func collect(_ request: Request, limit: Int, what: String) async throws -> ByteBuffer {
        var request = request
        do { return try await request.collectBody(upTo: limit) } catch {
            throw KhoError(.payloadTooLarge, "\(what) is larger than \(limit / 1024) KB")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the body" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    static func body(_ request: Request, limit: Int) async throws -> String {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw KhoError(.usage, "this address takes a form (application/x-www-form-urlencoded)")
        }
        return String(buffer: try await collect(request, limit: limit, what: "the form"))
    }

    /// The form of `request`, refused unless it is a form and at most `limit` bytes.
    static func read(_ request: Request, context: KhoContext, limit: Int = 64 * 1024) async throws -> [String: String] {
        return parse(try await body(request, limit: limit))
    }
}

enum Tokens {
    /// A session token or CSRF token (43 characters, base64url).
    static func make() -> String { Secrets.token() }

    /// A password made for a user.
    static func password() -> String { Secrets.password() }

    /// An upload's ID (32 lower-case hex digits).
    static func hex() -> String { Secrets.hex() }

    /// Compares two tokens in time that does not depend on where they differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
