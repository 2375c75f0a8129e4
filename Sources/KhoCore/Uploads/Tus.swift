// Resumable uploads on the tus 1.0 protocol (https://tus.io/protocols/resumable-upload): the
// header values Kho reads and writes, checked here before any byte is stored. Pure: the
// upload area stores the bytes, the server speaks HTTP.
import Foundation

public enum Tus {
    public static let version = "1.0.0"
    public static let extensions = "creation,termination,expiration,checksum"
    public static let checksumAlgorithms = "sha256"
    /// The media type of a PATCH body.
    public static let patchType = "application/offset+octet-stream"
    /// An Upload-Metadata header longer than this is refused (it only names a file).
    public static let maxMetadataBytes = 4096

    /// Upload-Length and Upload-Offset: a non-negative decimal integer, nothing else.
    public static func count(_ text: String?, field: String) -> Result<Int64, Problem> {
        guard let text, !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int64(text) else {
            return .failure(Problem(code: .usage, field: field, value: text ?? "", expected: "a number of bytes (0 or more, digits only)"))
        }
        return .success(value)
    }

    /// Upload-Metadata: `key base64,key base64,key` (a key without a value is allowed). Keys are
    /// ASCII without spaces or commas (a repeated one counts once); values are any bytes.
    public static func metadata(_ text: String?) -> Result<[String: [UInt8]], Problem> {
        guard let text, !text.isEmpty else { return .success([:]) }
        func fail(_ expected: String) -> Result<[String: [UInt8]], Problem> {
            .failure(Problem(code: .usage, field: "Upload-Metadata", value: String(text.prefix(80)), expected: expected))
        }
        guard text.utf8.count <= maxMetadataBytes else { return fail("at most \(maxMetadataBytes) bytes") }
        var out: [String: [UInt8]] = [:]
        for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = String(pair).trimmingWhitespace().split(separator: " ", omittingEmptySubsequences: true)
            guard let key = parts.first, parts.count <= 2,
                  key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x2C }) else {
                return fail("pairs of a key and its base64 value, separated by commas")
            }
            // A repeated key: the first counts.
            guard out[String(key)] == nil else { continue }
            if parts.count == 2 {
                guard let data = Data(base64Encoded: String(parts[1])) else { return fail("base64 values ('\(key)' is not base64)") }
                out[String(key)] = Array(data)
            } else {
                out[String(key)] = []
            }
        }
        return .success(out)
    }

    /// Upload-Checksum: `sha256 BASE64` of the PATCH body; the 32 bytes of the digest.
    public static func checksum(_ text: String?) -> Result<[UInt8]?, Problem> {
        guard let text else { return .success(nil) }
        let parts = text.trimmingWhitespace().split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "sha256" else {
            return .failure(Problem(code: .usage, field: "Upload-Checksum", value: String(text.prefix(80)),
                                    expected: "sha256 and the base64 of the chunk's SHA-256 (the only algorithm this server checks)"))
        }
        guard let data = Data(base64Encoded: String(parts[1])), data.count == 32 else {
            return .failure(Problem(code: .usage, field: "Upload-Checksum", value: String(text.prefix(80)),
                                    expected: "the base64 of a 32-byte SHA-256 digest"))
        }
        return .success(Array(data))
    }

    /// An HTTP date (RFC 9110, IMF-fixdate) for Upload-Expires: `Wed, 25 Jun 2014 16:00:00 GMT`.
    public static func httpDate(epochSeconds: Double) -> String {
        let days = Int((epochSeconds / 86_400).rounded(.down))
        let seconds = Int(epochSeconds) - days * 86_400
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]
        let date = CalendarDate.fromDaysSince1970(days)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekday), \(two(date.day)) \(months[date.month - 1]) \(date.year) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)) GMT"
    }
}

/// What the archive knows of one resumable upload, kept beside its bytes and replaced by rename.
/// `offset` is what is durably on disk; bytes past it (a write cut short) are not counted.
public struct UploadRecord: Codable, Sendable, Equatable {
    /// 32 lower-case hex digits, random: the upload's URL is its only name.
    public var id: String
    /// The user who created it; nobody else may see or continue it.
    public var owner: String
    public var length: Int64
    public var offset: Int64
    /// The file name the client gave (Upload-Metadata `filename`, or `name`), as bytes.
    public var fileName: [UInt8]
    /// The Upload-Metadata header as received, given back on HEAD.
    public var metadata: String
    public var createdAt: Double
    /// After this (seconds since 1970) the upload is removed. Each chunk moves it on.
    public var expiresAt: Double
    /// The SHA-256 of the whole file, once complete.
    public var sha256: String?

    public init(id: String, owner: String, length: Int64, fileName: [UInt8], metadata: String, createdAt: Double, expiresAt: Double) {
        self.id = id
        self.owner = owner
        self.length = length
        self.offset = 0
        self.fileName = fileName
        self.metadata = metadata
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public var isComplete: Bool { offset == length }

    /// 32 lower-case hex digits: anything else is not an upload's ID (and never reaches a path).
    public static func isValidID(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// The file name from Upload-Metadata (`filename`, else `name`), or "upload".
    public static func fileName(_ metadata: [String: [UInt8]]) -> [UInt8] {
        let name = metadata["filename"] ?? metadata["name"] ?? []
        return name.isEmpty ? Array("upload".utf8) : name
    }
}
