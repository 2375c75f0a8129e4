import Foundation
import Glibc
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

    /// A bag of 300 files, its manifest first (Kho's way) or after the payload (other tools',
    /// Kho's with --sha512), with one of each fault: a changed file, a listed file that never
    /// comes, a file no manifest lists, an entry listed twice with two digests, an entry whose
    /// digest is not one, a name that appears twice, and two that collide once case-folded.
    static func faults(manifestFirst: Bool) -> String { """
        files = [('data/f%03d.txt' % i, b'%d' % i) for i in range(300)]
        lines = ''.join('%s  %s\\n' % (hashlib.sha256(d).hexdigest(), n) for n, d in files)
        lines += '%s  data/gone.txt\\n' % hashlib.sha256(b'gone').hexdigest()
        lines += '%s  data/f007.txt\\n' % hashlib.sha256(b'other').hexdigest()
        lines += 'xyz  data/odd.txt\\n'
        with tarfile.open(out, 'w') as t:
            add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
            if \(manifestFirst ? "True" : "False"): add(t, 'b/manifest-sha256.txt', lines.encode())
            for n, d in files: add(t, 'b/' + n, b'changed' if n == 'data/f123.txt' else d)
            add(t, 'b/data/extra.txt', b'e')
            add(t, 'b/data/odd.txt', b'o')
            add(t, 'b/data/f200.txt', b'200')
            add(t, 'b/data/F250.TXT', b'x')
            if \(manifestFirst ? "False" : "True"): add(t, 'b/manifest-sha256.txt', lines.encode())
        """ }

    static let cases = [(inMemory, true), (spilling, true), (inMemory, false), (spilling, false)]

    @Test(arguments: cases)
    func everyFaultIsFoundAndNamed(limits: BagReadLimits, manifestFirst: Bool) throws {
        let s = Scratch(prefix: "kho-spill")
        let path = PythonBags.make("faults.tar", in: s, Self.faults(manifestFirst: manifestFirst))
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
    @Test(arguments: [true, false])
    func spillingChangesNothingOfTheResult(manifestFirst: Bool) throws {
        let s = Scratch(prefix: "kho-spill")
        let path = PythonBags.make("faults.tar", in: s, Self.faults(manifestFirst: manifestFirst))
        let held = try BagReader.verify(path: path, limits: Self.inMemory)
        let spilled = try BagReader.verify(path: path, limits: Self.spilling)
        #expect(held.problems == spilled.problems)
        #expect(held.check.payloadBytes == spilled.check.payloadBytes)
    }

    /// Manifests after the payload, as Kho's --sha512 bags have them: not kept in memory, so
    /// none is held to the tag file limit (here 2 KB, each manifest 27 KB or more); a file
    /// too large to hash with every algorithm is reported for the one it missed; with no
    /// manifest at all, or only in an algorithm Kho does not check, nothing is verified.
    @Test(arguments: [inMemory, spilling])
    func manifestsAfterThePayloadAreReadIntoTheTables(limits: BagReadLimits) throws {
        var limits = limits
        limits.maxTagFile = 2048
        let s = Scratch(prefix: "kho-spill")
        let late = PythonBags.make("late.tar", in: s, """
            files = [('data/p%03d/metadata.json' % i, b'{"n": %d}' % i) for i in range(300)]
            with tarfile.open(out, 'w') as t:
                add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                add(t, 'b/bag-info.txt', b'Payload-Oxum: %d.%d\\n' % (sum(len(d) for _, d in files), len(files)))
                for n, d in files: add(t, 'b/' + n, d)
                for a in ['sha256', 'sha512']:
                    add(t, 'b/manifest-%s.txt' % a, ''.join('%s  %s\\n' % (hashlib.new(a, d).hexdigest(), n) for n, d in files).encode())
            """)
        let result = try BagReader.verify(path: late, limits: limits)
        #expect(result.isValid, "\(result.problems)")
        #expect(result.check.payloadFiles == 300)
        let large = PythonBags.make("large.tar", in: s, """
            big = b'v' * (17 << 20)
            with tarfile.open(out, 'w') as t:
                add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                add(t, 'b/data/small.txt', b'a')
                add(t, 'b/data/video.mp4', big)
                add(t, 'b/manifest-md5.txt', ('%s  data/small.txt\\n%s  data/video.mp4\\n' % (hashlib.md5(b'a').hexdigest(), hashlib.md5(big).hexdigest())).encode())
            """)
        let uncheckable = try BagReader.verify(path: large, limits: limits)
        #expect(uncheckable.problems.map(\.message) == ["manifest-md5.txt: data/video.mp4 could not be checked with md5 in one pass (the manifest came after the file)"])
        for (name, manifest, expected) in [("none", "", "no payload manifest (manifest-<algorithm>.txt)"),
                                           ("sha3", "add(t, 'b/manifest-sha3.txt', b'deadbeef  data/a.txt\\n')", "no payload manifest in an algorithm Kho checks")] {
            let path = PythonBags.make("\(name).tar", in: s, """
                with tarfile.open(out, 'w') as t:
                    add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                    add(t, 'b/data/a.txt', b'x')
                    \(manifest)
                """)
            let unverified = try BagReader.verify(path: path, limits: limits)
            #expect(!unverified.isValid && unverified.problems.contains { $0.message.hasPrefix(expected) }, "\(name): \(unverified.problems)")
            #expect(unverified.check.payloadFiles == 1)
        }
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

    /// bagit.txt after the payload, or a manifest before bagit.txt: the payload still goes into
    /// the table, the manifest kept whole is read into its own at the end, and a changed file
    /// is found and named as in any other order.
    @Test(arguments: [inMemory, spilling])
    func aBagWhoseBagitTxtComesLateIsReadIntoTheTables(limits: BagReadLimits) throws {
        let s = Scratch(prefix: "kho-spill")
        for order in ["payload manifest bagit", "manifest bagit payload", "payload bagit manifest", "bagit payload manifest"] {
            for changed in [false, true] {
                let path = PythonBags.make("late.tar", in: s, """
                    files = [('data/f%02d.txt' % i, b'%d' % i) for i in range(40)]
                    lines = ''.join('%s  %s\\n' % (hashlib.sha256(d).hexdigest(), n) for n, d in files).encode()
                    with tarfile.open(out, 'w') as t:
                        for part in '\(order)'.split():
                            if part == 'bagit': add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                            if part == 'manifest': add(t, 'b/manifest-sha256.txt', lines)
                            if part == 'payload':
                                for n, d in files: add(t, 'b/' + n, b'changed' if \(changed ? "True" : "False") and n == 'data/f17.txt' else d)
                    """)
                let result = try BagReader.verify(path: path, limits: limits)
                let messages = result.problems.map(\.message)
                if changed {
                    // hashlib.sha256(b'changed'), hashlib.sha256(b'17')
                    #expect(messages == ["manifest-sha256.txt: data/f17.txt has sha256 d67e2e944994496c8d8ec76eed0cf9f09679448d584b532bebf941852a37f5ed, the manifest says 4523540f1504cd17100c4835e85b7eefd49911580f8efff0599a8f283be6b9e3"], "\(order): \(messages)")
                } else {
                    #expect(result.isValid, "\(order): \(messages)")
                }
                #expect(result.check.payloadFiles == 40, "\(order)")
            }
        }
    }

    /// Tag files are kept in memory: together they may not pass the tag file limit, however
    /// small each is; and a bag may not hold more files than its manifests may list.
    @Test func tagFilesTogetherAndFilesAreBounded() throws {
        let s = Scratch(prefix: "kho-spill")
        let tags = PythonBags.make("tags.tar", in: s, """
            with tarfile.open(out, 'w') as t:
                bag(t, [('data/a.txt', b'a')])
                for i in range(3): add(t, 'b/notes-%d.txt' % i, b'x' * 600)
            """)
        var limits = BagReadLimits()
        limits.maxTagFile = 1000
        let refused = try BagReader.verify(path: tags, limits: limits)
        #expect(!refused.isValid && refused.problems.contains { $0.message == "tag files together are larger than 1000 bytes (reached at notes-1.txt); refused" }, "\(refused.problems)")
        // The payload first: no manifest's count stops it before its files do.
        let many = PythonBags.make("many.tar", in: s, """
            with tarfile.open(out, 'w') as t:
                add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                for i in range(60): add(t, 'b/data/f%03d.txt' % i, b'')
            """)
        limits = BagReadLimits()
        limits.maxManifestEntries = 50
        let tooMany = try BagReader.verify(path: many, limits: limits)
        #expect(!tooMany.isValid && tooMany.problems.contains { $0.message.hasPrefix("the bundle holds more than 50 payload files") }, "\(tooMany.problems)")
        limits.maxManifestEntries = 60
        #expect(!(try BagReader.verify(path: many, limits: limits)).problems.contains { $0.message.contains("payload files; Kho checks") })
    }

    /// Kho's own bag with --sha512, whose manifests BagWriter writes after the payload: read
    /// with its tables spilled and a tag file limit far below its manifests' size, valid;
    /// with one payload byte changed, that file is named for both algorithms.
    @Test func khosOwnSHA512BagIsReadWithFlatMemory() throws {
        let s = Scratch(prefix: "kho-spill")
        func write(_ name: String, changed: Int?) throws -> String {
            let path = "\(s.path)/\(name)"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            try #require(fd >= 0)
            defer { close(fd) }
            let bag = try BagWriter(fd: fd, format: .tar, name: "bag", mtime: 1_700_000_000, sha512: true)
            for i in 0..<200 { try bag.addPayload("p\(i)/metadata.json", bytes: Array("{\"n\": \(i == changed ? i + 1 : i)}".utf8)) }
            _ = try bag.finish(info: [("Source-Organization", "test")])
            return path
        }
        var limits = Self.spilling
        limits.maxTagFile = 4096
        let good = try write("good.tar", changed: nil)
        let result = try BagReader.verify(path: good, limits: limits)
        #expect(result.isValid, "\(result.problems)")
        #expect(result.check.payloadFiles == 200)
        // The same bag with p7's bytes changed (as many of them) but the good one's manifests.
        let bad = try write("bad.tar", changed: 7)
        let swapped = PythonBags.make("swapped.tar", in: s, """
            good = tarfile.open('\(good)'); bad = tarfile.open('\(bad)')
            with tarfile.open(out, 'w') as t:
                for m in bad.getmembers():
                    src = good if m.name.startswith('bag/manifest-') or m.name.startswith('bag/tagmanifest-') else bad
                    t.addfile(src.getmember(m.name), src.extractfile(m.name))
            """)
        let faulty = try BagReader.verify(path: swapped, limits: limits)
        let messages = faulty.problems.map(\.message)
        #expect(messages.count == 2 && messages.allSatisfy { $0.contains("data/p7/metadata.json has sha") }, "\(messages)")
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
