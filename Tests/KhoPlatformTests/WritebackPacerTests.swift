// Writeback asked for every stride of bytes written, none for bytes written straight to the
// disk, and a file's tail only where the caller wants it (small files are left to one flush).
import Foundation
import Glibc
import KhoPlatform
import Testing

@Suite struct WritebackPacerTests {
    /// A pacer on a real scratch file (the kernel call has nothing to write back, and says so quietly).
    func pacer(from: Int64 = 0) throws -> (WritebackPacer, Int32) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kho-pacer-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        try #require(fd >= 0)
        unlink(path)
        return (WritebackPacer(fd: fd, stride: 100, from: from), fd)
    }

    @Test func everyStrideThenTheTailOfAFileThatStartedAny() throws {
        var (p, fd) = try pacer()
        defer { close(fd) }
        p.wrote(60)
        #expect(p.startedUpTo == 0)
        p.wrote(60)
        #expect(p.written == 120 && p.startedUpTo == 120)
        p.wrote(30)
        #expect(p.startedUpTo == 120)
        p.finish(onlyIfStarted: true)
        #expect(p.startedUpTo == 150)
    }

    @Test func aSmallFileIsLeftToTheFlushUnlessAsked() throws {
        var (p, fd) = try pacer()
        defer { close(fd) }
        p.wrote(40)
        p.finish(onlyIfStarted: true)
        #expect(p.startedUpTo == 0)
        p.finish(onlyIfStarted: false)
        #expect(p.startedUpTo == 40)
    }

    @Test func directBytesAreNeverWrittenBackAndAResumedFileStartsWhereItWas() throws {
        var (p, fd) = try pacer()
        defer { close(fd) }
        p.advance(to: 500, direct: true)
        #expect(p.startedUpTo == 500)
        p.advance(to: 550)
        p.finish(onlyIfStarted: false)
        #expect(p.startedUpTo == 550)
        var (resumed, fd2) = try pacer(from: 1000)
        defer { close(fd2) }
        resumed.advance(to: 1050)
        #expect(resumed.startedUpTo == 1000)
        resumed.advance(to: 1100)
        #expect(resumed.startedUpTo == 1100)
    }
}
