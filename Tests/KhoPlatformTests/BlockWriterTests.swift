import Foundation
import Glibc
import KhoCore
import KhoPlatform
import KhoTesting
import Testing

/// BlockWriter: pieces of any size, zeros and a tail land in order; whole 1 MiB blocks go direct
/// where the file system takes it, and the tail ends direct writing.
@Suite struct BlockWriterTests {
    @Test func piecesZerosAndATailLandInOrder() throws {
        let scratch = Scratch(prefix: "kho-blocks")
        let (path, fd) = try DirectWritesTests.newFile(in: scratch, "pack.tar")
        defer { close(fd) }
        let writer = BlockWriter(fd: fd, doing: "writing the test file", path: HostPath(path))
        var expected: [UInt8] = []
        // Pieces from one byte to 1.5 MiB, so that blocks fill mid-piece and a piece spans blocks.
        for (i, size) in [1, 511, 4096, 700_000, 1_500_000, 3, 250_000].enumerated() {
            let piece = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) }
            try writer.append(piece)
            expected += piece
            try writer.appendZeros(i * 300)
            expected += [UInt8](repeating: 0, count: i * 300)
        }
        try writer.appendZeros(BlockWriter.blockSize)   // a whole block of zeros, across a boundary
        expected += [UInt8](repeating: 0, count: BlockWriter.blockSize)
        #expect(expected.count % DirectWrites.block != 0, "the file ends in a tail")
        if DirectWritesTests.fileSystemTakesDirect(scratch.path) {
            #expect(fcntl(fd, F_GETFL) & DirectWritesTests.oDirect != 0, "whole blocks went direct")
        }
        try writer.finish()
        #expect(fcntl(fd, F_GETFL) & DirectWritesTests.oDirect == 0, "the tail is written the usual way")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
    }

    /// A write that fails (a descriptor open for reading only) is an error naming the file.
    @Test func aFailedWriteNamesTheFile() throws {
        let scratch = Scratch(prefix: "kho-blocks")
        let path = "\(scratch.path)/read-only"
        FileManager.default.createFile(atPath: path, contents: Data())
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let writer = BlockWriter(fd: fd, doing: "writing the test pack", path: HostPath(path))
        try writer.append([1, 2, 3])
        #expect { try writer.finish() } throws: { error in
            let message = "\(error)"
            return message.contains("writing the test pack") && message.contains("read-only")
        }
    }
}
