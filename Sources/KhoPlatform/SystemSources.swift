// The real clock and the real random source, for front ends to hand to everything below them.
import Foundation
import KhoCore

extension Clock {
    /// The system's wall clock (UTC) and its monotonic clock.
    public static let system = Clock(
        now: { Timestamp(epochSeconds: Date().timeIntervalSince1970) },
        uptime: { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 })
}

extension IdentifierSource {
    /// Product IDs and draws from the system's cryptographic random source; archive IDs as UUIDs.
    public static let system = IdentifierSource(
        productID: {
            var rng = SystemRandomNumberGenerator()
            return ProductID.generate(using: &rng)
        },
        archiveID: { UUID().uuidString.lowercased() },
        draw: {
            var rng = SystemRandomNumberGenerator()
            return rng.next()
        })
}

/// Secrets made from the system's cryptographic random source: session and API tokens,
/// upload IDs, passwords handed to users. For front ends (the command line, the server).
public enum Secrets {
    /// 32 random bytes, base64url without padding: 43 characters.
    public static func token() -> String {
        Data(bytes(32)).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// 16 random bytes as 32 lower-case hex digits.
    public static func hex() -> String { Hex.lower(bytes(16)) }

    /// 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
    public static func password() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// 32 random bytes: a key to sign with.
    public static func key() -> [UInt8] { bytes(32) }

    static func bytes(_ n: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<n).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
