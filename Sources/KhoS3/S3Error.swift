// What can go wrong talking to an S3 server, as a value: a kind callers can act on (a wrong key,
// a missing bucket, a clock off, a full bucket), the server's code and message, and one clear line.
public struct S3Error: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The access key is unknown or the secret does not match it.
        case wrongKey
        case noSuchBucket
        /// This computer's clock and the server's differ too much for a signature to count.
        case clockSkew
        /// The bucket or the server has no room (a quota, a full disk).
        case full
        case accessDenied
        case notFound
        /// The server received other bytes than were sent (a checksum did not match).
        case badDigest
        /// No answer: refused, timed out, cut off.
        case unreachable
        /// The server failed (5xx) every time it was asked.
        case server
        /// An answer that is not what S3 says.
        case malformed
        case other
    }

    public var kind: Kind
    public var status: Int?
    public var code: String?
    public var message: String

    public init(_ kind: Kind, status: Int? = nil, code: String? = nil, _ message: String) {
        self.kind = kind
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The kind an error answer means.
    static func kind(status: Int, code: String?) -> Kind {
        switch code {
        case "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurity", "InvalidToken", "ExpiredToken": return .wrongKey
        case "NoSuchBucket": return .noSuchBucket
        case "RequestTimeTooSkewed": return .clockSkew
        case "QuotaExceeded", "XMinioStorageFull", "StorageFull", "InsufficientStorage", "EntityTooLarge", "XAmzQuotaExceeded", "TooManyBuckets": return .full
        case "AccessDenied", "AllAccessDisabled", "AccountProblem": return .accessDenied
        case "NoSuchKey", "NoSuchUpload": return .notFound
        case "BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch", "XAmzContentChecksumMismatch": return .badDigest
        case "InternalError", "SlowDown", "ServiceUnavailable", "RequestTimeout": return .server
        default: break
        }
        switch status {
        case 507, 413: return .full
        case 404: return .notFound
        case 403: return .accessDenied
        case 500...599: return .server
        default: return .other
        }
    }

    /// Text from elsewhere (a server) made safe to print: control characters shown as "?", at most 300 characters.
    public static func visible(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(300).map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? "?" : $0 }))
    }

    /// One line for a person: what happened, where, and what to do.
    static func explain(kind: Kind, status: Int, code: String?, serverMessage: String?, endpoint: String, bucket: String, what: String) -> S3Error {
        let said = [code, serverMessage].compactMap { $0 }.filter { !$0.isEmpty }.map(visible).joined(separator: ": ")
        let tail = " (\(what): HTTP \(status)\(said.isEmpty ? "" : ", \(said)"))"
        let line: String
        switch kind {
        case .wrongKey:
            line = code == "InvalidAccessKeyId"
                ? "the S3 server at \(endpoint) does not know this access key: check AWS_ACCESS_KEY_ID (or s3.accessKeyId in kho-config.json)"
                : "the S3 server at \(endpoint) refused the signature: the secret key is wrong (check AWS_SECRET_ACCESS_KEY or s3.secretAccessKey in kho-config.json)"
        case .noSuchBucket:
            line = "the bucket \(bucket) does not exist at \(endpoint): create it (aws s3 mb s3://\(bucket)) or correct the replica's target"
        case .clockSkew:
            line = "this computer's clock is too far from the S3 server's (\(endpoint)) for a signed request to count: set the clock right (timedatectl set-ntp true)"
        case .full:
            line = "the bucket \(bucket) at \(endpoint) is full or over its quota: nothing more can be stored there until space is freed or the quota raised"
        case .accessDenied:
            line = "the S3 server at \(endpoint) denies this key access to the bucket \(bucket): give the key read, write, list and delete rights on it"
        case .notFound:
            line = "not found in the bucket \(bucket) at \(endpoint)"
        case .badDigest:
            line = "the S3 server at \(endpoint) received other bytes than were sent (a checksum did not match); nothing was stored under that name"
        case .server:
            // Some servers (SeaweedFS) answer a bucket over its quota this way too.
            line = "the S3 server at \(endpoint) kept failing, asked again with pauses: it may be down, overloaded, or the bucket \(bucket) full or over its quota; try again later"
        case .unreachable, .malformed, .other:
            line = "the S3 server at \(endpoint) refused"
        }
        return S3Error(kind, status: status, code: code, line + tail)
    }
}
