// Multipart uploads for large objects: begun with SHA-256 checksums declared, each part sent with
// its own Content-MD5, signed SHA-256 and checksum, completed with every part's ETag and checksum
// (the object appears only then: an interrupted upload leaves nothing visible), or aborted.
// DeleteObjects, a thousand keys a request.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

public struct S3Part: Sendable {
    public var number: Int
    public var etag: String
    /// Base64 SHA-256 of the part.
    public var checksum: String
}

extension S3Client {
    public func beginUpload(_ key: String) async throws(S3Error) -> String {
        let xml = try await xmlAnswer(Call(method: .POST, key: key, query: [("uploads", "")], headers: [("x-amz-checksum-algorithm", "SHA256")],
                                           what: "begin uploading \(key)"))
        guard let id = xml["UploadId"], !id.isEmpty else { throw malformed("begin uploading \(key)", "no upload id") }
        return id
    }

    /// Sends part `number` (1...10000); `sha256`: the part's hex SHA-256.
    public func uploadPart(_ key: String, uploadID: String, number: Int, body: ByteBuffer, sha256: String) async throws(S3Error) -> S3Part {
        let headers = Self.checksumHeaders(body, sha256: sha256)
        let response = try await send(Call(method: .PUT, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], headers: headers,
                                           body: body, payloadSHA256: sha256, what: "PUT part \(number) of \(key)",
                                           timeout: Self.timeout(forBytes: Int64(body.readableBytes))))
        _ = try? await response.body.collect(upTo: 64 << 10)
        guard let etag = response.headers.first(name: "etag") else { throw malformed("PUT part \(number) of \(key)", "no ETag") }
        return S3Part(number: number, etag: etag, checksum: headers[1].1)
    }

    public func completeUpload(_ key: String, uploadID: String, parts: [S3Part]) async throws(S3Error) {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.number < $1.number }) {
            xml += "<Part><PartNumber>\(part.number)</PartNumber><ETag>\(S3XML.escape(part.etag))</ETag><ChecksumSHA256>\(part.checksum)</ChecksumSHA256></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let body = ByteBuffer(string: xml)
        let md5 = Self.md5Base64(body)
        // The answer can be a 200 whose body is an error (S3 says so): read it.
        let answer = try await xmlAnswer(Call(method: .POST, key: key, query: [("uploadId", uploadID)], headers: [("content-md5", md5), ("content-type", "application/xml")],
                                              body: body, what: "complete uploading \(key)", timeout: .seconds(600)))
        if answer.name == "Error" {
            let code = answer["Code"]
            throw S3Error.explain(kind: S3Error.kind(status: 200, code: code), status: 200, code: code, serverMessage: answer["Message"],
                                  endpoint: endpoint, bucket: configuration.bucket, what: "complete uploading \(key)")
        }
    }

    public func abortUpload(_ key: String, uploadID: String) async throws(S3Error) {
        let response = try await send(Call(method: .DELETE, key: key, query: [("uploadId", uploadID)], what: "abort uploading \(key)"), expect404: true)
        _ = try? await response.body.collect(upTo: 64 << 10)
    }

    /// Deletes `keys` (any number, a thousand a request); returns the keys the server would not
    /// delete, with why. Deleting a key that is not there is no error.
    public func delete(_ keys: [String]) async throws(S3Error) -> [String: String] {
        var failed: [String: String] = [:]
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(keys.count, start + 1000)]
            start += chunk.count
            var xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
            for key in chunk { xml += "<Object><Key>\(S3XML.escape(key))</Key></Object>" }
            xml += "</Delete>"
            let body = ByteBuffer(string: xml)
            let md5 = Self.md5Base64(body)
            let answer = try await xmlAnswer(Call(method: .POST, key: nil, query: [("delete", "")], headers: [("content-md5", md5), ("content-type", "application/xml")],
                                                  body: body, what: "delete \(chunk.count) object(s)"))
            for error in answer.all("Error") {
                if let key = error["Key"] { failed[key] = [error["Code"], error["Message"]].compactMap { $0 }.joined(separator: ": ") }
            }
        }
        return failed
    }
}
