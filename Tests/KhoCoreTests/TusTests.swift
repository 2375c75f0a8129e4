// The tus header values: dates as HTTP writes them, metadata and checksums checked.
import Foundation
import KhoCore
import Testing

@Suite struct TusTests {
    @Test func expiryDatesAreIMFFixdates() {
        #expect(Tus.httpDate(epochSeconds: 1_403_712_000) == "Wed, 25 Jun 2014 16:00:00 GMT")
        #expect(Tus.httpDate(epochSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(Tus.httpDate(epochSeconds: 1_709_251_199) == "Thu, 29 Feb 2024 23:59:59 GMT")
    }

    @Test func metadataAndChecksumsAreChecked() throws {
        let metadata = try Tus.metadata("filename \(Data("ảnh.jpg".utf8).base64EncodedString()),empty,filename eA==").get()
        #expect(metadata["filename"] == Array("ảnh.jpg".utf8) && metadata["empty"] == [], "a repeated key: the first counts")
        #expect(throws: Problem.self) { try Tus.metadata("filename ***").get() }
        #expect(throws: Problem.self) { try Tus.checksum("md5 AAAA").get() }
        #expect(try Tus.checksum("sha256 " + Data(repeating: 1, count: 32).base64EncodedString()).get()?.count == 32)
        #expect(throws: Problem.self) { try Tus.count("-1", field: "Upload-Length").get() }
    }
}
