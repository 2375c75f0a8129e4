// The client against a real S3 server (SeaweedFS on loopback, started by Scripts/test): objects
// up and back, ranges, paged listings, multipart uploads, deletes, open uploads aborted; and the
// errors a clerk meets: a wrong secret, an unknown key, a missing bucket, a clock off, bytes that
// do not match their checksum, no server at all (retried with backoff, then one clear line).
import Foundation
import KhoS3
import KhoTesting
import NIOCore
import Synchronization
import Testing

@Suite struct S3LiveTests {
    static func client(_ endpoint: String, bucket: String = TestS3.bucket, secret: String = TestS3.secretKey, access: String = TestS3.accessKey,
                       skew: Int64 = 0) throws -> S3Client {
        try S3Client(.init(endpoint: endpoint, region: "us-east-1", bucket: bucket, credentials: S3Credentials(accessKeyID: access, secretAccessKey: secret)),
                     now: { Int64(Date().timeIntervalSince1970) + skew })
    }

    static func bytes(_ count: Int, seed: UInt8) -> ByteBuffer {
        var x = UInt32(seed) &+ 1
        return ByteBuffer(bytes: (0..<count).map { _ in
            x = x &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: x >> 24)
        })
    }

    static func fetch(_ s3: S3Client, _ key: String, range: ClosedRange<Int64>? = nil) async throws -> ByteBuffer? {
        var out = ByteBuffer()
        let n = try await s3.get(key, range: range) { piece in
            var piece = piece
            out.writeBuffer(&piece)
            return true
        }
        return n == nil ? nil : out
    }

    @Test func objectsUpAndBack() async throws {
        let s3 = try Self.client(try TestS3.require())
        let prefix = TestS3.prefix("objects")
        let body = Self.bytes(100_000, seed: 1)
        try await s3.put("\(prefix)/blobs/a b/ế.bin", body: body, sha256: S3Client.sha256Hex(body))
        #expect(try await Self.fetch(s3, "\(prefix)/blobs/a b/ế.bin") == body)
        #expect(try await Self.fetch(s3, "\(prefix)/blobs/a b/ế.bin", range: 10...19) == body.getSlice(at: 10, length: 10))
        #expect(try await s3.head("\(prefix)/blobs/a b/ế.bin")?.size == 100_000)
        #expect(try await s3.head("\(prefix)/nothing") == nil)
        #expect(try await Self.fetch(s3, "\(prefix)/nothing") == nil)
        // Bytes that do not hash to the SHA-256 given are refused and nothing is stored.
        let other = Self.bytes(1000, seed: 2)
        await #expect(throws: S3Error.self) { try await s3.put("\(prefix)/bad", body: other, sha256: S3Client.sha256Hex(body)) }
        #expect(try await s3.head("\(prefix)/bad") == nil)
        // Paged listings: 5 objects, 2 a page.
        for i in 0..<5 { try await s3.put("\(prefix)/list/\(i)", body: ByteBuffer(string: "\(i)"), sha256: S3Client.sha256Hex(ByteBuffer(string: "\(i)"))) }
        var page = try await s3.list(prefix: "\(prefix)/list/", maxKeys: 2)
        var keys = page.objects.map(\.key)
        while let next = page.next {
            page = try await s3.list(prefix: "\(prefix)/list/", continuation: next, maxKeys: 2)
            keys += page.objects.map(\.key)
        }
        #expect(keys == (0..<5).map { "\(prefix)/list/\($0)" })
        var all: [String] = []
        try await s3.listAll(prefix: "\(prefix)/") { all += $0.map(\.key) }
        #expect(all.count == 6)
        #expect(try await s3.delete(all).isEmpty)
        #expect(try await s3.probe(prefix: "\(prefix)/") == false)
    }

    @Test func multipartUploads() async throws {
        let s3 = try Self.client(try TestS3.require())
        let prefix = TestS3.prefix("multipart")
        let first = Self.bytes(5 << 20, seed: 3), second = Self.bytes(1234, seed: 4)
        let key = "\(prefix)/big"
        let id = try await s3.beginUpload(key)
        let p1 = try await s3.uploadPart(key, uploadID: id, number: 1, body: first, sha256: S3Client.sha256Hex(first))
        // Not visible before it is completed.
        #expect(try await s3.head(key) == nil)
        #expect(try await s3.openUploads(prefix: "\(prefix)/").map(\.uploadID).contains(id))
        let p2 = try await s3.uploadPart(key, uploadID: id, number: 2, body: second, sha256: S3Client.sha256Hex(second))
        try await s3.completeUpload(key, uploadID: id, parts: [p2, p1])
        var whole = first
        var tail = second
        whole.writeBuffer(&tail)
        #expect(try await Self.fetch(s3, key) == whole)
        // An upload begun and left (a kill) is found and aborted.
        let left = try await s3.beginUpload("\(prefix)/left")
        _ = try await s3.uploadPart("\(prefix)/left", uploadID: left, number: 1, body: second, sha256: S3Client.sha256Hex(second))
        let open = try await s3.openUploads(prefix: "\(prefix)/")
        #expect(open.map(\.key) == ["\(prefix)/left"])
        for upload in open { try await s3.abortUpload(upload.key, uploadID: upload.uploadID) }
        #expect(try await s3.openUploads(prefix: "\(prefix)/").isEmpty)
        #expect(try await s3.head("\(prefix)/left") == nil)
        _ = try await s3.delete([key])
    }

    @Test func theErrorsAClerkMeets() async throws {
        let endpoint = try TestS3.require()
        func kind(_ s3: S3Client) async -> S3Error? {
            do { _ = try await s3.probe(prefix: "x/"); return nil } catch { return error }
        }
        let wrongSecret = await kind(try Self.client(endpoint, secret: "not-the-secret"))
        #expect(wrongSecret?.kind == .wrongKey)
        #expect(wrongSecret?.message.contains("secret key is wrong") == true, "\(String(describing: wrongSecret))")
        #expect(await kind(try Self.client(endpoint, access: "nobody"))?.kind == .wrongKey)
        let missing = await kind(try Self.client(endpoint, bucket: "kho-no-such-bucket"))
        #expect(missing?.kind == .noSuchBucket)
        #expect(missing?.message.contains("kho-no-such-bucket does not exist") == true, "\(String(describing: missing))")
        let skewed = await kind(try Self.client(endpoint, skew: 3 * 3600))
        #expect(skewed?.kind == .clockSkew, "\(String(describing: skewed))")
        // Bad settings are said before anything is sent.
        #expect(throws: S3Error.self) { try Self.client("ftp://x") }
        #expect(throws: S3Error.self) { try Self.client(endpoint, bucket: "Bad_Bucket") }
        #expect(throws: S3Error.self) { try Self.client(endpoint + "/path") }
    }

    @Test func noServerIsRetriedThenSaid() async throws {
        let pauses = Mutex<[Double]>([])
        let s3 = try S3Client(.init(endpoint: "http://127.0.0.1:9", region: "us-east-1", bucket: "kho", credentials: S3Credentials(accessKeyID: "a", secretAccessKey: "b"), connectTimeout: 1),
                              now: { 0 }, maxAttempts: 4, pause: { seconds in pauses.withLock { $0.append(seconds) } })
        do {
            _ = try await s3.probe(prefix: "")
            Issue.record("a listing from nowhere")
        } catch {
            #expect(error.kind == .unreachable)
            #expect(error.message.contains("127.0.0.1:9"))
        }
        #expect(pauses.withLock { $0 } == [0.25, 0.5, 1.0])
    }
}
