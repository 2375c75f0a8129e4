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
        #expect(room.bytes > 0 && room.bytes == FS.availableBytes(tmp))
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
