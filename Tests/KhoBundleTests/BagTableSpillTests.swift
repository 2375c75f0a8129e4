import Foundation
import Testing
import KhoCore
import KhoTesting
@testable import KhoBundle

/// A check's tables (names, manifest entries, payload digests, where files were unpacked)
/// spill to disk past `tableMemory`. With a few bytes of it every table spills at once, in
/// runs of one record, and the check must find and name exactly what it finds in memory.
@Suite struct BagTableSpillTests {
    static let inMemory = BagReadLimits()
    static let spilling = BagReadLimits(tableMemory: 64)

    /// A bag of 300 files, manifest first, with one of each fault: a changed file, a listed
    /// file that never comes, a file no manifest lists, an entry listed twice with two
    /// digests, an entry whose digest is not one, a name that appears twice, and two that
    /// collide once case-folded.
    static let faults = """
        files = [('data/f%03d.txt' % i, b'%d' % i) for i in range(300)]
        lines = ''.join('%s  %s\\n' % (hashlib.sha256(d).hexdigest(), n) for n, d in files)
        lines += '%s  data/gone.txt\\n' % hashlib.sha256(b'gone').hexdigest()
        lines += '%s  data/f007.txt\\n' % hashlib.sha256(b'other').hexdigest()
        lines += 'xyz  data/odd.txt\\n'
        with tarfile.open(out, 'w') as t:
            add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
            add(t, 'b/manifest-sha256.txt', lines.encode())
            for n, d in files: add(t, 'b/' + n, b'changed' if n == 'data/f123.txt' else d)
            add(t, 'b/data/extra.txt', b'e')
            add(t, 'b/data/odd.txt', b'o')
            add(t, 'b/data/f200.txt', b'200')
            add(t, 'b/data/F250.TXT', b'x')
        """

    @Test(arguments: [inMemory, spilling])
    func everyFaultIsFoundAndNamed(limits: BagReadLimits) throws {
        let s = Scratch(prefix: "kho-spill")
        let path = PythonBags.make("faults.tar", in: s, Self.faults)
        let result = try BagReader.verify(path: path, limits: limits)
        let messages = result.problems.map(\.message)
        #expect(!result.isValid)
        #expect(messages.contains("manifest-sha256.txt: data/f007.txt is listed twice with different digests"), "\(messages)")
        #expect(messages.contains { $0.hasPrefix("manifest-sha256.txt: data/f123.txt has sha256 ") }, "\(messages)")
        #expect(messages.contains("manifest-sha256.txt: data/gone.txt is listed but not in the bag"), "\(messages)")
        #expect(messages.contains("data/extra.txt is in the payload but not in manifest-sha256.txt"), "\(messages)")
        // hashlib.sha256(b'o')
        #expect(messages.contains("manifest-sha256.txt: data/odd.txt has sha256 65c74c15a686187bb6bbf9958f494fc6b80068034a659a9ad44991b08c58f2d2, the manifest says xyz"), "\(messages)")
        #expect(result.archiveProblems.map(\.message) == [
            "data/f200.txt appears twice in the archive; refused",
            "data/F250.TXT and an earlier entry are the same name once Unicode-normalised or case-folded; refused",
        ], "\(result.archiveProblems)")
        // F250.TXT is no manifest's either; nothing else is a fault.
        #expect(messages.count == 8, "\(messages)")
        #expect(result.check.payloadFiles == 304)
    }

    /// A fetch.txt in a bag checked this way: the files it names must be among those read.
    @Test(arguments: [inMemory, spilling])
    func fetchListsAreCheckedAgainstTheFilesRead(limits: BagReadLimits) throws {
        let s = Scratch(prefix: "kho-spill")
        let path = PythonBags.make("fetch.tar", in: s, """
            with tarfile.open(out, 'w') as t:
                bag(t, [('data/a.txt', b'a')])
                add(t, 'b/fetch.txt', b'https://example.org/a 1 data/a.txt\\nhttps://example.org/b 1 data/b.txt\\n')
            """)
        let result = try BagReader.verify(path: path, limits: limits)
        #expect(result.problems.map(\.message) == ["fetch.txt: data/b.txt is to be fetched; Kho does not fetch, so the bag is incomplete"], "\(result.problems)")
    }

    /// Both ways give the same problems in the same order: the bag's.
    @Test func spillingChangesNothingOfTheResult() throws {
        let s = Scratch(prefix: "kho-spill")
        let path = PythonBags.make("faults.tar", in: s, Self.faults)
        let held = try BagReader.verify(path: path, limits: Self.inMemory)
        let spilled = try BagReader.verify(path: path, limits: Self.spilling)
        #expect(held.problems == spilled.problems)
        #expect(held.check.payloadBytes == spilled.check.payloadBytes)
    }

    /// Past maxProblems the first ones in the bag's order are listed, then one line saying
    /// there were more, an error since they were.
    @Test(arguments: [inMemory, spilling])
    func problemsPastTheLimitAreTheFirstInTheBagsOrder(limits: BagReadLimits) throws {
        let s = Scratch(prefix: "kho-spill")
        let path = PythonBags.make("many.tar", in: s, """
            files = [('data/f%04d.txt' % i, b'%d' % i) for i in range(1200)]
            with tarfile.open(out, 'w') as t:
                add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                add(t, 'b/manifest-sha256.txt', ''.join('%s  %s\\n' % (hashlib.sha256(b'no').hexdigest(), n) for n, _ in files).encode())
                for n, d in files: add(t, 'b/' + n, d)
            """)
        let result = try BagReader.verify(path: path, limits: limits)
        let wrong = result.check.problems.filter { $0.message.contains(" has sha256 ") }.map(\.message)
        #expect(wrong.count == BagValidator.maxProblems)
        #expect(wrong.first?.hasPrefix("manifest-sha256.txt: data/f0000.txt has") == true && wrong.last?.hasPrefix("manifest-sha256.txt: data/f0999.txt has") == true)
        #expect(result.check.problems.last == .error("more problems were found than are listed here"))
    }

    /// Unpacking with the index of unpacked files on disk: every file is found with the digest
    /// it was read with, the same as held in memory; a path not in the bag is not.
    @Test func unpackedFilesAreFoundWhenTheIndexSpills() throws {
        let s = Scratch(prefix: "kho-spill")
        let path = PythonBags.make("files.tar", in: s, "with tarfile.open(out, 'w') as t: bag(t, [('data/d%02d/f%03d.bin' % (i % 7, i), os.urandom(i * 37)) for i in range(1, 400)])")
        var results: [BagVerification] = []
        for (name, limits) in [("held", Self.inMemory), ("spilled", Self.spilling)] {
            try FileManager.default.createDirectory(atPath: "\(s.path)/\(name)", withIntermediateDirectories: true)
            let result = try BagReader.verify(path: path, limits: limits, unpackInto: "\(s.path)/\(name)")
            #expect(result.isValid, "\(result.problems)")
            results.append(result)
        }
        for i in 1..<400 {
            let bagPath = String(format: "data/d%02d/f%03d.bin", i % 7, i)
            let digest = try results[0].payload.sha256(bagPath)
            let again = try results[1].payload.sha256(bagPath)
            #expect(digest != nil && again == digest, "\(bagPath)")
            let held = try #require(try results[0].payload.unpacked(bagPath))
            let spilled = try #require(try results[1].payload.unpacked(bagPath))
            #expect(FileManager.default.contents(atPath: held) == FileManager.default.contents(atPath: spilled))
            #expect(FileManager.default.contents(atPath: spilled)?.count == i * 37)
        }
        #expect(try results[1].payload.sha256("data/none.bin") == nil)
        #expect(try results[1].payload.unpacked("data/d01") == nil)
    }
}
