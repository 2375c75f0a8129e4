// SHA-256 over a stream of chunks (BoringSSL through swift-crypto: SHA-NI where the CPU has it).
import Crypto
import KhoCore
import KhoPlatform

struct StreamingDigest {
    private var hasher = SHA256()

    mutating func update(_ chunk: UnsafeRawBufferPointer) { hasher.update(bufferPointer: chunk) }

    /// Lower-case hex, 64 characters.
    mutating func finalizeHex() -> String { Hex.lower(hasher.finalize()) }
}

public enum SHA256Hex {
    /// True for 64 lower-case hex digits.
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
