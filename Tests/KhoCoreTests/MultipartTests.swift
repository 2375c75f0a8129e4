// The multipart/form-data reader: the same parts whatever sizes the body arrives in (a
// delimiter split across chunks included), file names as the browser wrote them, and clear
// refusals of bodies that are not multipart or end too early.
import KhoCore
import Testing

@Suite struct MultipartTests {
    static let type = "multipart/form-data; boundary=----KhoBoundary7MA4YWxk"
    static let body: [UInt8] = {
        var b: [UInt8] = []
        b += Array("preamble ignored\r\n------KhoBoundary7MA4YWxk\r\n".utf8)
        b += Array("Content-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n------KhoBoundary7MA4YWxk\r\n".utf8)
        b += Array("Content-Disposition: form-data; name=\"file\"; filename=\"ảnh %22x%22.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
        // Content that holds CRLFs, dashes and most of the delimiter without being it.
        b += [0xFF, 0xD8, 13, 10, 45, 45] + Array("----KhoBoundary7MA4YWx".utf8) + [13, 10, 13, 10] + (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }
        b += Array("\r\n------KhoBoundary7MA4YWxk\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n\r\n".utf8)
        b += Array("\r\n------KhoBoundary7MA4YWxk--\r\nepilogue".utf8)
        return b
    }()

    /// The events of `body` fed `size` bytes at a time, with the bytes of each part joined.
    static func parts(_ body: [UInt8], size: Int) throws -> [MultipartEvent] {
        var parser = try #require(MultipartParser(contentType: type))
        var out: [MultipartEvent] = []
        var start = 0
        while start < body.count {
            for event in try parser.feed(body[start..<min(body.count, start + size)]) {
                if case .bytes(let more) = event, case .bytes(let had)? = out.last { out[out.count - 1] = .bytes(had + more) } else { out.append(event) }
            }
            start += size
        }
        try parser.finish()
        return out
    }

    @Test func thePartsAreTheSameWhateverTheChunkSize() throws {
        let whole = try Self.parts(Self.body, size: Self.body.count)
        let content = Array(Self.body[Self.body.firstIndex(of: 0xFF)!..<(Self.body.firstIndex(of: 0xFF)! + 2 + 4 + 22 + 4 + 300)])
        #expect(whole == [.begin(name: "csrf", fileName: nil, contentType: nil), .bytes(Array("tok".utf8)), .end,
                          .begin(name: "file", fileName: Array("ảnh \"x\".jpg".utf8), contentType: "image/jpeg"), .bytes(content), .end,
                          .begin(name: "empty", fileName: [], contentType: nil), .end])
        for size in 1...80 { #expect(try Self.parts(Self.body, size: size) == whole, "chunks of \(size) bytes") }
    }

    @Test func badBodiesAreRefusedClearly() throws {
        #expect(MultipartParser(contentType: "application/x-www-form-urlencoded") == nil)
        #expect(MultipartParser(contentType: "multipart/form-data") == nil, "no boundary")
        #expect(MultipartParser(contentType: "multipart/form-data; boundary=\"\(String(repeating: "x", count: 71))\"") == nil)
        #expect(MultipartParser.boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b")
        // Cut before the closing delimiter: the upload broke off.
        var cut = try #require(MultipartParser(contentType: Self.type))
        _ = try cut.feed(Self.body.prefix(200))
        #expect(throws: KhoError.self) { try cut.finish() }
        // A part without a name.
        var nameless = try #require(MultipartParser(contentType: "multipart/form-data; boundary=b"))
        #expect(throws: KhoError.self) { _ = try nameless.feed(Array("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--".utf8)) }
        // Headers that never end.
        var endless = try #require(MultipartParser(contentType: "multipart/form-data; boundary=b"))
        #expect(throws: KhoError.self) { _ = try endless.feed(Array("--b\r\nX: ".utf8) + [UInt8](repeating: 0x61, count: 9000)) }
    }
}
