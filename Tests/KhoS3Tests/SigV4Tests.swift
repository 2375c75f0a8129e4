// SigV4 against the worked examples of the AWS S3 documentation ("Signature Calculations for the
// Authorization Header"), the XML reader on S3's answers and on hostile input, and the error
// kinds each S3 error code means.
import KhoS3
import Testing

@Suite struct SigV4Tests {
    let keys = S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    let host = ("Host", "examplebucket.s3.amazonaws.com")
    let date = "20130524T000000Z"

    func signature(_ r: SigV4.Request) -> String {
        String(SigV4.authorization(r, credentials: keys, region: "us-east-1", amzDate: date).split(separator: "=").last!)
    }

    @Test func theDocumentationsExamples() {
        #expect(SigV4.amzDate(1_369_353_600) == date)
        #expect(SigV4.amzDate(0) == "19700101T000000Z")
        #expect(SigV4.amzDate(951_825_599) == "20000229T115959Z")
        let get = SigV4.Request(method: "GET", encodedPath: "/test.txt", query: [],
                                headers: [host, ("Range", "bytes=0-9"), ("x-amz-content-sha256", SigV4.emptySHA256), ("x-amz-date", date)],
                                payloadSHA256: SigV4.emptySHA256)
        #expect(signature(get) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(SigV4.authorization(get, credentials: keys, region: "us-east-1", amzDate: date).hasPrefix(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "))
        let body = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
        let put = SigV4.Request(method: "PUT", encodedPath: "/" + SigV4.encode("test$file.text", keepSlash: true), query: [],
                                headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), host, ("x-amz-date", date), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                                          ("x-amz-content-sha256", body)],
                                payloadSHA256: body)
        #expect(put.encodedPath == "/test%24file.text")
        #expect(signature(put) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
        let lifecycle = SigV4.Request(method: "GET", encodedPath: "/", query: [("lifecycle", "")],
                                      headers: [host, ("x-amz-date", date), ("x-amz-content-sha256", SigV4.emptySHA256)], payloadSHA256: SigV4.emptySHA256)
        #expect(signature(lifecycle) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
        let list = SigV4.Request(method: "GET", encodedPath: "/", query: [("prefix", "J"), ("max-keys", "2")],
                                 headers: [host, ("x-amz-date", date), ("x-amz-content-sha256", SigV4.emptySHA256)], payloadSHA256: SigV4.emptySHA256)
        #expect(SigV4.canonicalQuery(list.query) == "max-keys=2&prefix=J")
        #expect(signature(list) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
        // A different secret, region or body signs differently.
        #expect(SigV4.authorization(list, credentials: S3Credentials(accessKeyID: keys.accessKeyID, secretAccessKey: "x"), region: "us-east-1", amzDate: date)
                != SigV4.authorization(list, credentials: keys, region: "us-east-1", amzDate: date))
    }

    @Test func encodingAsSigV4WantsIt() {
        #expect(SigV4.encode("a b/c~d.e_f-g") == "a%20b%2Fc~d.e_f-g")
        #expect(SigV4.encode("a b/c", keepSlash: true) == "a%20b/c")
        #expect(SigV4.encode("Tiếng Việt") == "Ti%E1%BA%BFng%20Vi%E1%BB%87t")
        #expect(SigV4.canonicalQuery([("uploads", ""), ("prefix", "a/b c")]) == "prefix=a%2Fb%20c&uploads=")
    }

    @Test func readingS3sAnswers() throws {
        let listing = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><IsTruncated>true</IsTruncated>
            <Contents><Key>a/b&amp;c</Key><Size>12</Size><ETag>&quot;abc&quot;</ETag></Contents>
            <Contents><Key>a/&#x1EBF;</Key><Size>0</Size></Contents><NextContinuationToken>tok</NextContinuationToken><Empty/></ListBucketResult>
            """
        let xml = try S3XML.parse(Array(listing.utf8))
        #expect(xml.name == "ListBucketResult")
        #expect(xml.all("Contents").map { $0["Key"] } == ["a/b&c", "a/ế"])
        #expect(xml.all("Contents").first?["ETag"] == "\"abc\"")
        #expect(xml["NextContinuationToken"] == "tok" && xml.child("Empty") != nil)
        let error = try S3XML.parse(Array("<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>".utf8))
        #expect(error["Code"] == "NoSuchBucket")
        // Hostile or broken answers are errors, never crashes.
        for bad in ["", "<a>", "<a></b>", "<a><b></a></b>", "text", "<a>&bogus;</a>", "<a>&#xFFFFFFFF;</a>", "<!DOCTYPE x [<!ENTITY e 'x'>]><a/>",
                    "<a></a><b></b>", "<a>&amp</a>", String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)] {
            #expect(throws: S3XML.Malformed.self, "\(bad.prefix(40))") { try S3XML.parse(Array(bad.utf8)) }
        }
        #expect(S3XML.escape("<a&'\">") == "&lt;a&amp;&apos;&quot;&gt;")
    }

    @Test func bucketNames() {
        for good in ["kho", "kho-test", "a.b-c.9"] { #expect(S3Client.isBucketName(good), "\(good)") }
        for bad in ["ab", "Kho", "-kho", "kho-", "a..b", "a/b", String(repeating: "a", count: 64), "kho test"] { #expect(!S3Client.isBucketName(bad), "\(bad)") }
    }
}
