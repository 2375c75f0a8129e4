import Foundation
import Glibc
import Testing
import KhoCore
import KhoTesting
@testable import KhoBundle

@Suite struct BagTextTests {
    @Test func manifestPathsArePercentEncodedAsRFC8493Says() {
        #expect(BagIt.encodePath("a%b\nc\rd.txt") == "a%25b%0Ac%0Dd.txt")
        #expect(BagIt.decodePath(BagIt.encodePath("a%b\nc\rd%0A.txt")) == "a%b\nc\rd%0A.txt")
        #expect(BagIt.manifest([("data/b", "2"), ("data/a", "1")]) == "1  data/a\n2  data/b\n")
        #expect(BagIt.oxum(bytes: 17054, files: 15) == "17054.15")
        #expect(BagIt.encodePath("data/Bài viết.pdf") == "data/Bài viết.pdf")
    }

    /// Manifest order is UTF-8 byte order (Swift orders characters otherwise: NFC and NFD equal).
    @Test func manifestOrderIsByteOrder() {
        let nfd = "Bai\u{0300} vie\u{0302}\u{0301}t"
        let paths = ["", "a", "ab", "a/b", "a.b", "Bài viết", nfd, "Đ", "Z", "z", "ấ", "a\u{0}", "data/x%y", "\u{1F600}", "\u{FF05}"]
        for a in paths {
            for b in paths {
                #expect(BagIt.precedesBytewise(a, b) == Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)), "\(a) < \(b)")
            }
        }
        #expect(BagIt.sortedForManifest(paths.reversed()) { $0 }.map { Array($0.utf8) } == paths.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
    }

    @Test func fileNamesAreSafeAndUnique() {
        #expect(BagFileNames.safe("../x/y") == ".._x_y")
        #expect(BagFileNames.safe("..") == "file")
        #expect(BagFileNames.safe("100%\nlãi.txt") == "100\u{FF05}_lãi.txt")
        #expect(BagFileNames.safe("Vie\u{0302}\u{0323}t.txt") == "Việt.txt")   // NFD in, NFC out
        // Names that need nothing come back as they are; each kind of flaw still gets its repair.
        #expect(BagFileNames.safe("Bài viết số 1.pdf") == "Bài viết số 1.pdf")
        #expect(BagFileNames.safe("a\u{85}b\\c.txt") == "a_b_c.txt")
        #expect(BagFileNames.safe(" a.txt\u{3000}") == "a.txt" && BagFileNames.safe(".") == "file" && BagFileNames.safe("") == "file")
        #expect(BagFileNames.safe("tab\tx\u{7f}.txt") == "tab_x_.txt" && BagFileNames.safe("50%.pdf") == "50\u{FF05}.pdf")
        let long = String(repeating: "ả", count: 150) + ".pdf"
        #expect(BagFileNames.safe(long).utf8.count <= 200 && BagFileNames.safe(long).hasSuffix("ả.pdf"))
        #expect(BagFileNames.safe(String(repeating: "a", count: 200)) == String(repeating: "a", count: 200))
        #expect(BagFileNames.unique(["a.txt", "A.TXT", "a.txt", "dc.xml"], reserved: ["dc.xml"]) == ["a.txt", "A-2.TXT", "a-3.txt", "dc-2.xml"])
    }
}

@Suite struct BagWriterTests {
    /// A bag larger than a few of the writer's slots, written to a file: whole slots go
    /// straight to the disk where its file system takes direct I/O, the tail the usual way.
    /// The file is the bag, byte for byte: its digest is the one reported, it verifies, and
    /// tar gives back the payload's bytes.
    @Test func aLargeBagWrittenToAFileIsWholeAndValid() throws {
        let scratch = Scratch(prefix: "kho-bag")
        let dir = scratch.path
        let fd = open("\(dir)/big.tar", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        let payload = (0..<(9 << 20) + 123).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let bag = try BagWriter(fd: fd, format: .tar, name: "bag", mtime: 1_700_000_000, sha512: false)
        try bag.addPayload("video.mp4", bytes: payload)
        try bag.addPayload("ghi chú.txt", bytes: Array("xin chào".utf8))
        let summary = try bag.finish(info: [("Source-Organization", "test")])
        close(fd)
        #expect(scratch.run(["sha256sum", "\(dir)/big.tar"]).output.hasPrefix(summary.bundleSHA256 + " "))
        #expect(try BagReader.verify(path: "\(dir)/big.tar").isValid)
        #expect(scratch.run(["tar", "-xf", "\(dir)/big.tar", "-C", dir]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/bag/data/video.mp4")) == Data(payload))
    }

    /// A payload name given twice (or twice once Unicode-normalised, as a reader compares
    /// names) stops the bag: it is never finished as if whole.
    @Test(arguments: [("a.txt", "a.txt"), ("Vi\u{1EC7}t.txt", "Vie\u{0323}\u{0302}t.txt")])
    func aNameGivenTwiceStopsTheBag(first: String, second: String) throws {
        let scratch = Scratch(prefix: "kho-bag")
        for sha512 in [false, true] {
            let fd = open("\(scratch.path)/twice-\(sha512).tar", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            try #require(fd >= 0)
            defer { close(fd) }
            let bag = try BagWriter(fd: fd, format: .tar, name: "bag", mtime: 1_700_000_000, sha512: sha512)
            try bag.addPayload("b.txt", bytes: Array("b".utf8))
            var error: KhoError?
            do {
                try bag.addPayload(first, bytes: Array("1".utf8))
                try bag.addPayload(second, bytes: Array("2".utf8))
                _ = try bag.finish(info: [])
            } catch let e { error = e }
            #expect(error?.code == .duplicatePath, "\(sha512): \(String(describing: error))")
        }
    }

    /// A bag written by BagWriter with a line break in a payload name (percent-encoded in the
    /// manifest), unpacked by GNU tar, passes the Library of Congress validator.
    @Test func aNameWithALineBreakSurvivesTheValidator() throws {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["KHO_BAGIT_PY"],
                                     repositoryRoot.appendingPathComponent(".build/tools/venv/bin/bagit.py").path]
        let bagit = try #require(candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) },
                                 "bagit.py is not installed: run the tests with Scripts/test")
        let scratch = Scratch(prefix: "kho-verify")
        let dir = scratch.path
        let fd = open("\(dir)/b.tar", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let bag = try BagWriter(fd: fd, format: .tar, name: "bag", mtime: 1_700_000_000, sha512: false)
        try bag.addPayload("two\nlines.txt", bytes: Array("xin chào".utf8))
        try bag.addPayload("Việt Nam.txt", bytes: Array("quyền".utf8))
        let summary = try bag.finish(info: [("Source-Organization", "test")])
        close(fd)
        #expect(summary.payloadFiles == 2 && summary.payloadBytes == Int64("xin chào".utf8.count + "quyền".utf8.count))
        #expect(scratch.run(["sha256sum", "\(dir)/b.tar"]).output.hasPrefix(summary.bundleSHA256 + " "))
        #expect(scratch.run(["tar", "-xf", "\(dir)/b.tar", "-C", dir]).status == 0)
        let manifest = try String(contentsOfFile: "\(dir)/bag/manifest-sha256.txt", encoding: .utf8)
        #expect(manifest.contains("data/two%0Alines.txt"))
        let check = scratch.run([bagit, "--validate", "\(dir)/bag"])
        #expect(check.status == 0, "\(check.output)")
    }
}

@Suite struct ArchiveWriterFailureTests {
    /// A writer dropped inside an entry (its bytes stopped: a damaged file found mid-export)
    /// lets go of the archive: it does not fill the rest of the entry with zeros, which for a
    /// large file would write and hash gigabytes before the export could fail.
    @Test func aWriterDroppedInsideAnEntryWritesNoPadding() throws {
        let scratch = Scratch()
        let path = "\(scratch.path)/dropped.tar"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        do {
            let writer = try ArchiveWriter(fd: fd, format: .tar, what: "a test bundle")
            try writer.begin(path: "big.bin", size: 64 << 20, mtime: 0)
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 64)
            defer { chunk.deallocate() }
            chunk.initializeMemory(as: UInt8.self, repeating: 7)
            try writer.write(UnsafeRawBufferPointer(chunk))
        }
        var st = stat()
        #expect(fstat(fd, &st) == 0)
        #expect(st.st_size < 1 << 20, "\(st.st_size) bytes written for a dropped 64 MiB entry of which 4 KiB came")
    }
}
