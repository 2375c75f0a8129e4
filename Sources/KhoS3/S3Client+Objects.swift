// Objects: PUT (Content-MD5, the signed SHA-256 and x-amz-checksum-sha256 on every body, since
// servers check different ones), GET (whole or a range, streamed to the caller), HEAD, DELETE.
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

public struct S3Object: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var etag: String
}

extension S3Client {
    /// Time allowed to move `bytes` over a slow office line (at least 1 MB/s).
    static func timeout(forBytes bytes: Int64) -> TimeAmount { .seconds(60 + bytes / 1_000_000) }

    /// Stores `body` as `key`. `sha256`: the body's SHA-256 in hex (the caller hashed what it read).
    public func put(_ key: String, body: ByteBuffer, sha256: String, contentType: String = "application/octet-stream") async throws(S3Error) {
        _ = try await send(Call(method: .PUT, key: key, headers: Self.checksumHeaders(body, sha256: sha256) + [("content-type", contentType)],
                                body: body, payloadSHA256: sha256, what: "PUT \(key)", timeout: Self.timeout(forBytes: Int64(body.readableBytes))))
    }

    /// Content-MD5 and x-amz-checksum-sha256 of a body whose hex SHA-256 is known.
    static func checksumHeaders(_ body: ByteBuffer, sha256: String) -> [(String, String)] {
        let md5 = Self.md5Base64(body)
        return [("content-md5", md5), ("x-amz-checksum-sha256", Data(hexBytes(sha256)).base64EncodedString())]
    }

    static func md5Base64(_ body: ByteBuffer) -> String {
        var md5 = Insecure.MD5()
        body.withUnsafeReadableBytes { md5.update(bufferPointer: $0) }
        return Data(md5.finalize()).base64EncodedString()
    }

    public static func sha256Hex(_ body: ByteBuffer) -> String {
        var sha = SHA256()
        body.withUnsafeReadableBytes { sha.update(bufferPointer: $0) }
        return SigV4.hex(sha.finalize())
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8 = c <= 0x39 ? c &- 0x30 : (c | 0x20) &- 0x57
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }

    /// Reads `key` (or bytes `range` of it), handing each piece to `sink` as it comes; `sink`
    /// returns false to stop (too many bytes). Returns the bytes read, or nil when there is no
    /// such object. A line that drops before the answer is retried; one that drops during the
    /// body is an error (the caller has seen part of it).
    public func get(_ key: String, range: ClosedRange<Int64>? = nil, expectedSize: Int64 = 0,
                    sink: (ByteBuffer) async -> Bool) async throws(S3Error) -> Int64? {
        let headers = range.map { [("range", "bytes=\($0.lowerBound)-\($0.upperBound)")] } ?? []
        let response = try await send(Call(method: .GET, key: key, headers: headers, what: "GET \(key)",
                                           timeout: Self.timeout(forBytes: expectedSize)), expect404: true)
        if response.status == .notFound {
            _ = try? await response.body.collect(upTo: 64 << 10)
            return nil
        }
        var total: Int64 = 0
        do {
            for try await piece in response.body {
                total += Int64(piece.readableBytes)
                if await !sink(piece) { return total }
            }
        } catch {
            throw S3Error(.unreachable, "the S3 server at \(base) stopped sending \(key) after \(total) bytes (\(error))")
        }
        return total
    }

    /// The object's size and ETag, or nil when there is none.
    public func head(_ key: String) async throws(S3Error) -> S3Object? {
        let response = try await send(Call(method: .HEAD, key: key, what: "HEAD \(key)"), expect404: true)
        if response.status == .notFound { return nil }
        let size = response.headers.first(name: "content-length").flatMap { Int64($0) } ?? 0
        return S3Object(key: key, size: size, etag: response.headers.first(name: "etag") ?? "")
    }

    /// Fails with a clear error when the bucket cannot be used with these keys (missing, wrong
    /// key, clock off): a listing of at most one key under `prefix`. Returns whether there is any.
    public func probe(prefix: String) async throws(S3Error) -> Bool {
        try await list(prefix: prefix, maxKeys: 1).objects.isEmpty == false
    }
}
