// The POSIX layer: the ring buffer, the blocking pool, write loops and outputs that appear
// only when complete.
import Foundation
import Glibc
import KhoCore
import KhoPlatform
import KhoTesting
import Synchronization
import Testing

@Suite struct BufferRingTests {
    @Test func buffersReachTheDrainInOrder() {
        let seen = Mutex<[UInt8]>([])
        let ring = BufferRing(slots: 3, slotSize: 4) { (chunk) throws(KhoError) in seen.withLock { $0 += chunk } }
        var expected: [UInt8] = []
        for i in 0..<50 {
            let buffer = ring.acquire()
            let n = i % 4 + 1
            for j in 0..<n { buffer[j] = UInt8(truncatingIfNeeded: i * 7 + j) }
            expected += (0..<n).map { UInt8(truncatingIfNeeded: i * 7 + $0) }
            ring.submit(n)
        }
        #expect(ring.finish() == nil)
        #expect(seen.withLock { $0 } == expected)
    }

    /// A tagged ring: each buffer reaches the drain with its tag, marks as empty buffers, all
    /// in the order they were handed over; waiting for the drain sees every one done.
    @Test func tagsAndMarksReachTheDrainInOrder() {
        let seen = Mutex<[String]>([])
        let ring = BufferRing(slots: 2, slotSize: 3, tagged: { (chunk, tag) throws(KhoError) in
            seen.withLock { $0.append(chunk.isEmpty ? "mark \(tag)" : "\(tag):\(String(decoding: chunk, as: UTF8.self))") }
        })
        var expected: [String] = []
        for file in 1...20 {
            let text = String(repeating: Character(UnicodeScalar(UInt8(96 + file % 26))), count: file % 5)
            text.utf8.withContiguousStorageIfAvailable { ring.push(UnsafeRawBufferPointer($0), tag: file) }
            expected += stride(from: 0, to: text.count, by: 3).map { "\(file):\(text.dropFirst($0).prefix(3))" }
            ring.mark(tag: file)
            expected.append("mark \(file)")
            if file % 7 == 0 {
                ring.waitUntilDrained()
                #expect(seen.withLock { $0 } == expected)
            }
        }
        #expect(ring.finish() == nil)
        #expect(seen.withLock { $0 } == expected)
    }

    @Test func theDrainsFirstErrorIsReportedAndLaterBuffersSkipped() {
        let calls = Mutex(0)
        let ring = BufferRing(slots: 2, slotSize: 8) { (chunk) throws(KhoError) in
            let n = calls.withLock { $0 += 1; return $0 }
            if n == 3 { throw KhoError(.diskFull, "full") }
        }
        for _ in 0..<10 {
            let buffer = ring.acquire()
            buffer[0] = 1
            ring.submit(1)
        }
        #expect(ring.finish()?.code == .diskFull)
        #expect(calls.withLock { $0 } == 3)
    }

    @Test func aRingDroppedWithoutFinishEndsItsDrain() {
        let drained = Mutex(0)
        do {
            let ring = BufferRing(slots: 2, slotSize: 8) { (chunk) throws(KhoError) in drained.withLock { $0 += chunk.count } }
            for _ in 0..<5 {
                _ = ring.acquire()
                ring.submit(8)
            }
        }
        // The deinit finished the ring: every submitted buffer was drained before it returned.
        #expect(drained.withLock { $0 } == 40)
    }

    /// A ring of stages: every buffer passes each stage in turn, in order (the second sees what
    /// the first did to it); after a stage fails, later buffers pass no stage, and the ring
    /// reports the first failure.
    @Test func stagesSeeEachBufferInTurn() {
        let seen = Mutex<[UInt8]>([])
        let firstCalls = Mutex(0)
        let ring = BufferRing(slots: 3, slotSize: 4, stages: [
            BufferRing.Stage { (chunk: UnsafeRawBufferPointer) throws(KhoError) in
                let mutable = UnsafeMutableRawBufferPointer(mutating: chunk)
                for i in mutable.indices { mutable[i] &+= 1 }
                firstCalls.withLock { $0 += 1 }
            },
            BufferRing.Stage { (chunk: UnsafeRawBufferPointer) throws(KhoError) in seen.withLock { $0 += chunk } },
        ])
        var expected: [UInt8] = []
        for i in 0..<40 {
            let buffer = ring.acquire()
            let n = i % 4 + 1
            for j in 0..<n { buffer[j] = UInt8(truncatingIfNeeded: i * 5 + j) }
            expected += (0..<n).map { UInt8(truncatingIfNeeded: i * 5 + $0 + 1) }
            ring.submit(n)
        }
        #expect(ring.finish() == nil)
        #expect(seen.withLock { $0 } == expected)
        #expect(firstCalls.withLock { $0 } == 40)

        let second = Mutex(0)
        let failing = BufferRing(slots: 2, slotSize: 8, stages: [
            BufferRing.Stage { (_: UnsafeRawBufferPointer) throws(KhoError) in },
            BufferRing.Stage { (_: UnsafeRawBufferPointer) throws(KhoError) in
                if second.withLock({ $0 += 1; return $0 }) == 2 { throw KhoError(.diskFull, "full") }
            },
        ])
        for _ in 0..<10 {
            failing.acquire()[0] = 1
            failing.submit(1)
        }
        #expect(failing.finish()?.code == .diskFull)
        #expect(second.withLock { $0 } == 2)
    }

    @Test func finishingWithAnAcquiredSlotDoesNotHang() {
        let ring = BufferRing(slots: 2, slotSize: 8) { (_: UnsafeRawBufferPointer) throws(KhoError) in }
        _ = ring.acquire()
        #expect(ring.finish() == nil)
    }
}

@Suite struct BlockingPoolTests {
    @Test func workRunsOffTheCallersThreadAndErrorsComeBack() async {
        let pool = BlockingPool(threads: 2)
        let value = try? await pool.run { () throws(KhoError) in 6 * 7 }
        #expect(value == 42)
        await #expect { try await pool.run { () throws(KhoError) -> Int in throw KhoError(.archiveLocked, "locked") } } throws: {
            ($0 as? KhoError)?.code == .archiveLocked
        }
        // Two jobs that wait for each other finish only if they run side by side.
        let both = DispatchSemaphore(value: 0)
        async let a: Void? = try? pool.run { () throws(KhoError) in both.signal() }
        async let b: Bool? = try? pool.run { () throws(KhoError) in both.wait(timeout: .now() + 5) == .success }
        _ = await a
        #expect(await b == true)
    }
}

@Suite struct OutputTests {
    @Test func aFileAppearsOnlyWhenCommittedAndIsNotReplacedUnasked() throws {
        let scratch = Scratch(prefix: "kho-platform")
        let path = HostPath("\(scratch.path)/out.txt")
        do {
            let out = try FileOutput.create(at: path, overwrite: false)
            try out.write("half")
            #expect(!FS.exists(path))
        }
        #expect(!FS.exists(path) && filesUnder(scratch.path).isEmpty, "an output never committed leaves nothing")
        let out = try FileOutput.create(at: path, overwrite: false)
        try out.write("xin chào")
        try out.commit()
        #expect(try String(contentsOfFile: path.description, encoding: .utf8) == "xin chào")
        #expect { try FileOutput.create(at: path, overwrite: false) } throws: { ($0 as? KhoError)?.code == .fileExists }
    }

    @Test func writeAllWritesEverythingAndReportsErrno() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let bytes = [UInt8](repeating: 7, count: 1000)
        #expect(bytes.withUnsafeBytes { Sys.writeAll(fds[1], $0) } == 0)
        close(fds[1])
        var read = [UInt8](repeating: 0, count: 2000)
        #expect(Glibc.read(fds[0], &read, 2000) == 1000)
        close(fds[0])
        #expect(bytes.withUnsafeBytes { Sys.writeAll(-1, $0) } == EBADF)
        let error = Sys.error(ENOSPC, "writing it", HostPath("/x/y"))
        #expect(error.code == .diskFull && error.subject?.file == "/x/y" && (error.cause as? Errno)?.code == ENOSPC)
    }

    @Test func noRoomForAnotherFileIsSaidApartFromAFullDisk() throws {
        let inodes = Sys.noSpaceMessage("/srv/kho/blobs/ab/x", doing: "storing a file", freeBytes: 5_000_000_000, freeFiles: 0)
        #expect(inodes.contains("/srv/kho/blobs/ab/x") && inodes.contains("free but no room for another file") && inodes.contains("df -i")
                && inodes.contains("storing a file"))
        // Nothing free at all, or files still free: a full disk.
        for (bytes, files) in [(Int64(0), Int64(0)), (10 << 30, 12), (10 << 30, nil)] as [(Int64?, Int64?)] {
            let full = Sys.noSpaceMessage("/x", doing: "writing it", freeBytes: bytes, freeFiles: files)
            #expect(full.contains("is full") && !full.contains("inodes"))
        }
        // This machine's temporary folder has room for files (or keeps no count of them), so
        // an ENOSPC there names a full disk; its path is the file's folder when the file is not there.
        let tmp = HostPath(NSTemporaryDirectory())
        let room = try #require(FS.room(tmp))
        // Two looks, not one: tests running beside this one write there in between.
        #expect(room.bytes > 0 && (FS.availableBytes(tmp) ?? 0) > 0)
        if let files = room.files { #expect(files > 0) }
        let error = Sys.error(ENOSPC, "writing it", tmp.appending("not-made-\(getpid())"))
        #expect(error.code == .diskFull && error.message.contains("is full"))
    }

    @Test func parallelMapKeepsOrderAndStopsAtTheFirstError() throws {
        let squares = try Parallel.map(count: 100, jobs: 4) { (i, _) throws(KhoError) in i * i }
        #expect(squares == (0..<100).map { $0 * $0 })
        #expect { try Parallel.map(count: 100, jobs: 4) { (i, _) throws(KhoError) in if i == 50 { throw KhoError(.ioError, "x") }; return i } } throws: {
            ($0 as? KhoError)?.code == .ioError
        }
    }
}

@Suite struct DirectWritesTests {
    /// `O_DIRECT` on Linux x86_64 and arm64.
    static let oDirect: Int32 = 0o40000

    /// Whole blocks from page-aligned buffers, then a tail: the file holds every byte in order.
    /// Where the file system takes direct I/O, the blocks went direct and the tail ended it.
    @Test func blocksThenATailLandInOrder() throws {
        let scratch = Scratch(prefix: "kho-direct")
        let (path, fd) = try Self.newFile(in: scratch, "out.bin")
        defer { close(fd) }
        let takesDirect = Self.fileSystemTakesDirect(scratch.path)
        let writer = DirectWrites(fd: fd, wanted: true)
        #expect(writer.isDirect == takesDirect)
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 3 * DirectWrites.block, alignment: DirectWrites.block)
        defer { block.deallocate() }
        var expected: [UInt8] = []
        for round in 0..<3 {
            for i in block.indices { block[i] = UInt8(truncatingIfNeeded: i * 31 + round) }
            #expect(writer.write(UnsafeRawBufferPointer(block)) == 0)
            expected += block
        }
        #expect(writer.isDirect == takesDirect, "whole blocks keep writing direct")
        if takesDirect { #expect(fcntl(fd, F_GETFL) & Self.oDirect != 0) }
        let tail = [UInt8]((0..<123).map { UInt8($0) })
        #expect(tail.withUnsafeBytes { writer.write($0) } == 0)
        expected += tail
        #expect(!writer.isDirect && fcntl(fd, F_GETFL) & Self.oDirect == 0, "a tail shorter than a block is written the usual way")
        #expect(writer.written == Int64(expected.count))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
    }

    /// A buffer that is not page-aligned, a pipe, a file opened at an odd offset, or not wanted:
    /// the usual writes, every byte there.
    @Test func whatCannotGoDirectIsWrittenTheUsualWay() throws {
        let scratch = Scratch(prefix: "kho-direct")
        let (path, fd) = try Self.newFile(in: scratch, "odd.bin")
        defer { close(fd) }
        let writer = DirectWrites(fd: fd, wanted: true)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * DirectWrites.block + 1, alignment: DirectWrites.block)
        defer { buffer.deallocate() }
        for i in buffer.indices { buffer[i] = UInt8(truncatingIfNeeded: i) }
        let unaligned = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[1...])
        #expect(writer.write(unaligned) == 0 && !writer.isDirect)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(unaligned))

        let (_, atOdd) = try Self.newFile(in: scratch, "offset.bin")
        defer { close(atOdd) }
        #expect(Glibc.write(atOdd, "x", 1) == 1)
        #expect(!DirectWrites(fd: atOdd, wanted: true).isDirect)
        #expect(!DirectWrites(fd: fd, wanted: false).isDirect)

        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let toPipe = DirectWrites(fd: fds[1], wanted: true)
        #expect(!toPipe.isDirect)
        #expect(toPipe.write(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<DirectWrites.block])) == 0)
        close(fds[1])
        var read = [UInt8](repeating: 0, count: 2 * DirectWrites.block)
        #expect(Glibc.read(fds[0], &read, read.count) == DirectWrites.block)
    }

    /// A new file in the scratch folder, open for writing: its path and descriptor.
    static func newFile(in scratch: Scratch, _ name: String) throws -> (path: String, fd: Int32) {
        let path = "\(scratch.path)/\(name)"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        try #require(fd >= 0, "cannot create \(path)")
        return (path, fd)
    }

    static func fileSystemTakesDirect(_ folder: String) -> Bool {
        let probe = open("\(folder)/probe", O_WRONLY | O_CREAT | oDirect, 0o644)
        defer { if probe >= 0 { close(probe); unlink("\(folder)/probe") } }
        return probe >= 0
    }
}

/// The system's product IDs are fully random; a run drawn from it shares its first four
/// characters for 4,096 IDs.
@Suite struct SystemIdentifierTests {
    @Test func systemIDsAreRandomAndItsRunsShareAPrefix() {
        let random = (0..<50).map { _ in IdentifierSource.system.productID() }
        #expect(Set(random.map { $0.compact.prefix(4) }).count > 45)
        let run = ProductIDRun(.system)
        let ids = (0..<50).map { _ in run.next() }
        #expect(Set(ids).count == 50)
        #expect(Set(ids.map { $0.compact.prefix(4) }).count == 1)
    }
}
