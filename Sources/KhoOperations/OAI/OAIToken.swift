// Resumption tokens: the list's query and a keyset cursor (the last entry's change time and
// row key), the list's size and position, and an expiry, signed with the archive's key
// (HMAC-SHA256) so they cannot be forged or altered, and good across restarts.
import Crypto
import Foundation
import KhoCore

struct OAIToken: Equatable {
    enum Kind: String { case identifiers = "i", records = "r", sets = "s" }
    var kind: Kind
    var prefix: String
    var set: String?
    var from: Int64?
    var until: Int64?
    /// The last entry given: its updated_at and row key (sets: the index of the next set).
    var afterChange: String
    var afterPK: Int64
    var completeListSize: Int
    var cursor: Int
    var expires: Int64

    /// Tokens stay good this long: a harvest may pause for days.
    static let lifetime: Int64 = 30 * 86400

    func encoded(key: [UInt8]) -> String {
        let fields = ["1", kind.rawValue, prefix, set ?? "", from.map(String.init) ?? "", until.map(String.init) ?? "",
                      afterChange, String(afterPK), String(completeListSize), String(cursor), String(expires)]
        let payload = Data(fields.joined(separator: "|").utf8)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: key))
        return Self.base64url(payload) + "." + Self.base64url(Data(mac).prefix(20))
    }

    /// The token's content when it is one of this archive's, unaltered and not expired.
    static func decode(_ text: String, key: [UInt8], now: Int64) -> Result<OAIToken, OAIError> {
        let bad = OAIError(.badResumptionToken, "the resumptionToken is not one this repository gave, or was altered; start the list again without it")
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard text.utf8.count <= 1024, parts.count == 2, let payload = unbase64url(String(parts[0])), let mac = unbase64url(String(parts[1])) else {
            return .failure(bad)
        }
        let expected = Data(HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: key))).prefix(20)
        guard mac.count == expected.count, zip(mac, expected).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return .failure(bad) }
        let f = String(decoding: payload, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 11, f[0] == "1", let kind = Kind(rawValue: f[1]), let afterPK = Int64(f[7]), let size = Int(f[8]),
              let cursor = Int(f[9]), let expires = Int64(f[10]) else { return .failure(bad) }
        guard expires >= now else {
            return .failure(OAIError(.badResumptionToken, "the resumptionToken expired on \(OAIDate.format(expires)); start the list again without it"))
        }
        return .success(OAIToken(kind: kind, prefix: f[2], set: f[3].isEmpty ? nil : f[3], from: Int64(f[4]), until: Int64(f[5]),
                                 afterChange: f[6], afterPK: afterPK, completeListSize: size, cursor: cursor, expires: expires))
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func unbase64url(_ text: String) -> Data? {
        guard text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }) else { return nil }
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.utf8.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}
