// Listings: ListObjectsV2 a page at a time (continuation tokens), every page of a prefix, and
// the multipart uploads left open under a prefix (an interrupted run's, to abort).
import AsyncHTTPClient
import NIOCore
import NIOHTTP1

public struct S3ListPage: Sendable {
    public var objects: [S3Object]
    /// The token for the next page; nil on the last.
    public var next: String?
}

extension S3Client {
    public func list(prefix: String, continuation: String? = nil, maxKeys: Int = 1000) async throws(S3Error) -> S3ListPage {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let continuation { query.append(("continuation-token", continuation)) }
        let xml = try await xmlAnswer(Call(method: .GET, key: nil, query: query, what: "list \(prefix)"))
        guard xml.name == "ListBucketResult" else { throw malformed("list \(prefix)", "a <\(xml.name)> instead of <ListBucketResult>") }
        var objects: [S3Object] = []
        for item in xml.all("Contents") {
            guard let key = item["Key"], let size = item["Size"].flatMap({ Int64($0) }), size >= 0 else {
                throw malformed("list \(prefix)", "an entry without a key or a size")
            }
            // A server that ignores the prefix must not hand callers other keys (to delete, say).
            guard key.hasPrefix(prefix) else { throw malformed("list \(prefix)", "a key outside the prefix asked for") }
            objects.append(S3Object(key: key, size: size, etag: item["ETag"] ?? ""))
        }
        let truncated = xml["IsTruncated"] == "true"
        let next = truncated ? xml["NextContinuationToken"] : nil
        if truncated && (next ?? "").isEmpty { throw malformed("list \(prefix)", "a truncated listing without a continuation token") }
        return S3ListPage(objects: objects, next: next)
    }

    /// Every object under `prefix`, a page at a time to `each`.
    public func listAll(prefix: String, each: ([S3Object]) throws(S3Error) -> Void) async throws(S3Error) {
        var token: String?
        var pages = 0
        repeat {
            let page = try await list(prefix: prefix, continuation: token)
            try each(page.objects)
            if page.next != nil && page.next == token { throw malformed("list \(prefix)", "the same continuation token twice") }
            token = page.next
            pages += 1
            // A server that hands back the same token forever would keep us here.
            if pages > 10_000_000 { throw malformed("list \(prefix)", "a listing that never ends") }
        } while token != nil
    }

    /// Multipart uploads begun under `prefix` and neither completed nor aborted.
    public func openUploads(prefix: String) async throws(S3Error) -> [(key: String, uploadID: String)] {
        var out: [(key: String, uploadID: String)] = []
        var markers: (String, String)?
        repeat {
            var query = [("uploads", ""), ("prefix", prefix)]
            if let (key, upload) = markers { query += [("key-marker", key), ("upload-id-marker", upload)] }
            let xml = try await xmlAnswer(Call(method: .GET, key: nil, query: query, what: "list open uploads under \(prefix)"))
            for upload in xml.all("Upload") {
                if let key = upload["Key"], let id = upload["UploadId"], key.hasPrefix(prefix) { out.append((key, id)) }
            }
            if xml["IsTruncated"] == "true", let key = xml["NextKeyMarker"], let id = xml["NextUploadIdMarker"], !key.isEmpty,
               markers.map({ $0 != (key, id) }) ?? true {
                markers = (key, id)
            } else {
                markers = nil
            }
        } while markers != nil && out.count < 10_000_000
        return out
    }

    /// The answer's body (at most 16 MB) read as XML.
    func xmlAnswer(_ call: Call) async throws(S3Error) -> S3XMLElement {
        let response = try await send(call)
        let body: ByteBuffer
        do { body = try await response.body.collect(upTo: 16 << 20) } catch {
            throw S3Error(.unreachable, "the S3 server at \(endpoint) stopped sending its answer (\(call.what): \(error))")
        }
        do { return try S3XML.parse(Array(body.readableBytesView)) } catch {
            throw malformed(call.what, "not XML: \(error.why)")
        }
    }

    func malformed(_ what: String, _ why: String) -> S3Error {
        S3Error(.malformed, "the S3 server at \(endpoint) answered \(what) with \(why)")
    }
}
