import Foundation
import Glibc
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct BlobStoreTests {
    @Test func identicalBytesAreStoredOnce() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let a = scratch.hostFile("a.txt", "cùng nội dung")
        let b = scratch.hostFile("b.txt", "cùng nội dung")
        let first = try archive.blobs.put([a], jobs: 1)
        let second = try archive.blobs.put([b, a], jobs: 2)
        #expect(first[0].wasNew)
        #expect(second.map(\.wasNew) == [false, false])
        #expect(Set([first[0].sha256, second[0].sha256, second[1].sha256]).count == 1)
        #expect(blobFiles(archive) == [first[0].sha256])
    }

    /// An import writes a chunk's rows while its files are flushed and named: what naming them
    /// will find (new, already there, there but damaged or of another size, the same bytes twice
    /// in the batch) is foreseen beforehand, and must be what publishing them finds.
    @Test func outcomesForeseeWhatPublishingFinds() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let kept = try archive.blobs.put([scratch.hostFile("kept", "đã lưu")], jobs: 1)[0]
        let short = try archive.blobs.put([scratch.hostFile("short", "sẽ bị cắt ngắn")], jobs: 1)[0]
        let shortPath = archive.blobs.path(for: short.sha256)
        chmod(shortPath.description, 0o644)
        #expect(truncate(shortPath.description, 3) == 0)
        let sources = [scratch.hostFile("new", "mới"), scratch.hostFile("new-again", "mới"), scratch.hostFile("kept-again", "đã lưu"),
                       scratch.hostFile("short-again", "sẽ bị cắt ngắn"), scratch.hostFile("listed", "được báo hỏng")]
        let listed = try archive.blobs.stageEach([sources[4]], jobs: 1)
        let listedSHA = try listed.results[0].get().sha256
        archive.blobs.discard(listed)
        let batch = try archive.blobs.stageEach(sources, jobs: 2)
        let damaged: Set<String> = [listedSHA]
        let foreseen = archive.blobs.outcomes(batch, damaged: damaged).map { try? $0.get() }
        let found = try archive.blobs.publishEach(batch, damaged: damaged).map { try? $0.get() }
        #expect(foreseen == found)
        #expect(found.map { $0?.wasNew } == [true, false, false, false, true])
        #expect(found.map { $0?.repaired } == [false, false, false, true, true])
        #expect(found[2]?.sha256 == kept.sha256)
        #expect(FS.fileStatus(shortPath).map { Int64($0.st_size) } == short.size)
    }

    @Test func blobsAreNamedBySHA256AndReadOnly() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let stored = try archive.blobs.put([scratch.hostFile("x", "abc")], jobs: 1)[0]
        #expect(stored.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let path = archive.blobs.path(for: stored.sha256)
        #expect(path.description.hasSuffix("/blobs/sha256/ba/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        #expect(mode(path) == 0o444)
    }

    @Test func zeroByteFilesWork() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let stored = try archive.blobs.put([scratch.hostFile("empty", "")], jobs: 1)[0]
        #expect(stored.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(stored.size == 0)
        #expect(archive.blobs.contains(stored.sha256, size: 0))
    }

    @Test func manyFilesInParallelKeepTheirOrder() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let sources = (0..<40).map { scratch.hostFile("f\($0)", String(repeating: "x", count: $0 * 997)) }
        let stored = try archive.blobs.put(sources, jobs: 4)
        #expect(stored.map(\.size) == (0..<40).map { Int64($0 * 997) })
        #expect(blobFiles(archive).count == 40)
        // Nothing is left in the temporary area once the batch is published.
        #expect(filesUnder("\(scratch.path)/archive/tmp").isEmpty)
    }

    @Test func aBadSourceStoresNothing() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let good = scratch.hostFile("good", "good bytes")
        #expect(throws: KhoError.self) { try archive.blobs.put([good, HostPath("\(scratch.path)/missing")], jobs: 2) }
        let (_, problems) = BlobStore.checkSources([good, HostPath("\(scratch.path)/missing"), HostPath(scratch.path)])
        #expect(problems.map(\.code.rawValue) == ["missing_file", "not_a_file"])
        #expect(problems[0].message.contains("\(scratch.path)/missing"))
    }

    @Test func leftoversOfDeadProcessesAreCleanedAndLiveOnesKept() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        let tmp = HostPath("\(scratch.path)/archive/tmp")
        // A dead process: its lock file exists but nobody holds the lock.
        try FS.makeDirectory(tmp.appending("s999-1"))
        _ = scratch.hostFile("archive/tmp/s999-1.lock", "")
        _ = scratch.hostFile("archive/tmp/s999-1/blob-1", "half a blob")
        // A folder whose owner died while removing its lock.
        try FS.makeDirectory(tmp.appending("s998-2"))
        _ = scratch.hostFile("archive/tmp/s998-2/blob-1", "junk")
        // A live session (this process) holds its lock.
        let live = try TempArea(root: tmp)
        _ = scratch.hostFile("archive/tmp/" + String(live.directory.description.split(separator: "/").last!) + "/blob-9", "in progress")
        _ = archive
        let removed = TempArea.cleanUp(root: tmp)
        #expect(removed == 2)
        let left = try FS.list(tmp)
        #expect(!left.contains("s999-1") && !left.contains("s999-1.lock") && !left.contains("s998-2"))
        #expect(FS.exists(live.directory.appending("blob-9")))
    }

    @Test func openingAnArchiveCleansUp() throws {
        let scratch = Scratch()
        _ = try scratch.archive()
        let tmp = HostPath("\(scratch.path)/archive/tmp")
        try FS.makeDirectory(tmp.appending("s1-1"))
        _ = scratch.hostFile("archive/tmp/s1-1.lock", "")
        _ = scratch.hostFile("archive/tmp/s1-1/blob-1", "partial")
        _ = try Archive.open(HostPath("\(scratch.path)/archive"), agent: "test", environment: testEnvironment)
        #expect(!FS.exists(tmp.appending("s1-1")))
    }
}
