// What a bag's check needs of a payload checked as it was read, against payload manifests that
// came before it (KhoBundle's StreamedPayload), and the sizes of the digests it checks.
import Foundation

/// What the rest of a bag's check needs of a payload checked against manifests read ahead of it.
public struct StreamedPayloadSummary: Sendable {
    public var payloadFiles: Int
    public var payloadBytes: Int64
    /// The payload manifests checked that way.
    public var names: Set<String>
    /// Whether a payload file of this path was read.
    public var holds: @Sendable (String) -> Bool

    public init(payloadFiles: Int, payloadBytes: Int64, names: Set<String>, holds: @escaping @Sendable (String) -> Bool) {
        self.payloadFiles = payloadFiles
        self.payloadBytes = payloadBytes
        self.names = names
        self.holds = holds
    }
}

extension DigestAlgorithm {
    /// The digest's length in bytes.
    public var byteCount: Int {
        switch self {
        case .md5: 16
        case .sha1: 20
        case .sha224: 28
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }
}
