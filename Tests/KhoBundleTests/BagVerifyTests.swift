import Foundation
import Glibc
import Testing
import KhoCore
import KhoTesting
@testable import KhoBundle

@Suite struct ConformanceSuiteTests {
    /// Every case of the Library of Congress suite (and its unmerged valid cases), tarred as a
    /// sender would: valid ones accepted, invalid ones (linux-only and windows-only too)
    /// rejected; the warning cases accepted with their warnings, except one that is really
    /// incomplete on Linux. The same with the check's tables spilled to disk at once.
    @Test(arguments: [BagReadLimits(), BagReadLimits(tableMemory: 64)])
    func everyCaseOfTheLibraryOfCongressSuite(limits: BagReadLimits) throws {
        let scratch = Scratch(prefix: "kho-verify")
        var checked = 0
        for suite in ["bagit-conformance-cases", "bagit-conformance-cases-unmerged"] {
            let root = try SharedTestData.require(suite)
            let versions = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix("v") }
            for version in versions {
                for category in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(version).path) {
                    let folder = root.appendingPathComponent("\(version)/\(category)")
                    for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                        let tar = "\(scratch.path)/\(suite)-\(version)-\(category)-\(name).tar"
                        let made = scratch.run(["tar", "-cf", tar, "-C", folder.path, name])
                        #expect(made.status == 0, "\(made.output)")
                        let result = try BagReader.verify(path: tar, limits: limits)
                        let label = "\(suite)/\(version)/\(category)/\(name): \(result.problems)"
                        switch category {
                        case "valid":
                            #expect(result.isValid, "\(label)")
                        case "warning" where name == "duplicate-file-with-different-case":
                            #expect(!result.isValid, "\(label)")   // HELLO.txt is listed, only hello.txt exists
                        case "warning":
                            #expect(result.isValid, "\(label)")
                        default:
                            #expect(!result.isValid, "\(label)")
                        }
                        checked += 1
                    }
                }
            }
        }
        #expect(checked >= 65)
    }
}

@Suite struct HostileArchiveTests {
    func expectRefused(_ path: String, _ words: String, limits: BagReadLimits = BagReadLimits()) throws {
        let result = try BagReader.verify(path: path, limits: limits)
        #expect(!result.isValid)
        #expect(result.archiveProblems.contains { $0.message.contains(words) }, "\(result.problems)")
    }

    /// A manifest before the payload (as Kho writes it) is checked file by file as the files
    /// are read; one after the payload, the general way. Both find the same faults: a file
    /// whose bytes differ, a listed file that never comes (named), a file no manifest lists.
    /// A second manifest coming after the payload of a streamed bag cannot be checked: said.
    @Test func manifestsBeforeAndAfterThePayloadFindTheSameFaults() throws {
        let s = Scratch(prefix: "kho-verify")
        let faults = """
            import hashlib
            def faulty(t, manifest_first, late=None):
                add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                lines = ''.join('%s  %s\\n' % (hashlib.sha256(d).hexdigest(), n) for n, d in
                                [('data/ok.txt', b'ok'), ('data/changed.txt', b'before'), ('data/gone.txt', b'x'), ('data/Đà Nẵng.txt', b'v')])
                if manifest_first: add(t, 'b/manifest-sha256.txt', lines.encode())
                for n, d in [('data/ok.txt', b'ok'), ('data/changed.txt', b'after'), ('data/extra.txt', b'e'), ('data/Đà Nẵng.txt', b'v')]: add(t, 'b/' + n, d)
                if not manifest_first: add(t, 'b/manifest-sha256.txt', lines.encode())
                if late: add(t, 'b/manifest-md5.txt', late)


            """
        // sha256 of the bytes "after" (hashlib.sha256(b'after')).
        let afterSHA256 = "f39592393ef0859cb196a52693d2cea00fb2df784b3c04ae54aa7cadb8e562f8"
        for first in [true, false] {
            let path = PythonBags.make("faults-\(first).tar", in: s, faults + "with tarfile.open(out, 'w') as t: faulty(t, \(first ? "True" : "False"))")
            let result = try BagReader.verify(path: path)
            let messages = result.problems.map(\.message)
            #expect(!result.isValid)
            #expect(messages.contains { $0.contains("changed.txt has sha256 \(afterSHA256)") }, "\(first): \(messages)")
            #expect(messages.contains { $0.contains("data/gone.txt is listed but not in the bag") }, "\(first): \(messages)")
            #expect(messages.contains { $0.contains("data/extra.txt is in the payload but not in manifest-sha256.txt") }, "\(first): \(messages)")
            #expect(!messages.contains { $0.contains("ok.txt") || $0.contains("Nẵng") }, "\(first): \(messages)")
            #expect(messages.count == 3, "\(first): \(messages)")
            #expect(result.check.payloadFiles == 4 && result.check.payloadBytes == 2 + 5 + 1 + 1)
        }
        let late = PythonBags.make("late.tar", in: s, faults + "with tarfile.open(out, 'w') as t: faulty(t, True, late=b'00  data/ok.txt\\n')")
        #expect(try BagReader.verify(path: late).problems.contains { $0.message.contains("manifest-md5.txt comes after the payload files") })
    }

    /// A manifest naming a file in NFD stands for the same name in NFC in the archive (and the
    /// reverse), whether the manifest comes before the payload or after it.
    @Test func normalisationFormsMatchEitherWay() throws {
        let s = Scratch(prefix: "kho-verify")
        for (listed, stored) in [("NFD", "NFC"), ("NFC", "NFD")] {
            for first in [true, false] {
                let path = PythonBags.make("nf-\(listed)-\(first).tar", in: s, """
                    import unicodedata
                    a = b'v'
                    name = 'data/Đà Nẵng.txt'
                    m = ('%s  %s\\n' % (hashlib.sha256(a).hexdigest(), unicodedata.normalize('\(listed)', name))).encode()
                    with tarfile.open(out, 'w', format=tarfile.PAX_FORMAT) as t:
                        add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                        if \(first ? "True" : "False"): add(t, 'b/manifest-sha256.txt', m)
                        add(t, 'b/' + unicodedata.normalize('\(stored)', name), a)
                        if not \(first ? "True" : "False"): add(t, 'b/manifest-sha256.txt', m)
                    """)
                let result = try BagReader.verify(path: path)
                #expect(result.isValid, "\(listed) listed, \(stored) stored, manifest first: \(first): \(result.problems)")
            }
        }
    }

    /// Found by a hostile review: a bag whose only manifest Kho cannot check is not valid; a
    /// byte-order mark before a manifest reads the same both ways; millions of bad manifest
    /// lines from a tiny archive give a bounded list; a name that is not UTF-8 is refused.
    @Test func uncheckableManifestsMarksFloodsAndNonUTF8Names() throws {
        let s = Scratch(prefix: "kho-verify")
        let unknown = PythonBags.make("sha3.tar", in: s, """
            with tarfile.open(out, 'w') as t:
                add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                add(t, 'b/manifest-sha3.txt', b'deadbeef  data/a.txt\\ndeadbeef  data/missing.txt\\n')
                add(t, 'b/data/a.txt', b'x')
            """)
        let refused = try BagReader.verify(path: unknown)
        #expect(!refused.isValid && refused.problems.contains { $0.message.contains("no payload manifest in an algorithm Kho checks") }, "\(refused.problems)")
        for first in [true, false] {
            let marked = PythonBags.make("bom-\(first).tar", in: s, """
                a = b'hello\\n'
                m = b'\\xef\\xbb\\xbf' + ('%s  data/a.txt\\n' % hashlib.sha256(a).hexdigest()).encode()
                with tarfile.open(out, 'w') as t:
                    add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                    if \(first ? "True" : "False"): add(t, 'b/manifest-sha256.txt', m)
                    add(t, 'b/data/a.txt', a)
                    if not \(first ? "True" : "False"): add(t, 'b/manifest-sha256.txt', m)
                """)
            let result = try BagReader.verify(path: marked)
            #expect(result.isValid, "manifest first: \(first): \(result.problems)")
        }
        for first in [true, false] {
            let flood = PythonBags.make("flood-\(first).tar", in: s, """
                m = b'x\\n' * 200000
                with tarfile.open(out, 'w') as t:
                    add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                    if \(first ? "True" : "False"): add(t, 'b/manifest-sha256.txt', m)
                    add(t, 'b/data/a.txt', b'a')
                    if not \(first ? "True" : "False"): add(t, 'b/manifest-sha256.txt', m)
                """)
            let result = try BagReader.verify(path: flood)
            #expect(!result.isValid && result.problems.count <= 2 * (BagValidator.maxProblems + 1) + 10, "\(first): \(result.problems.count) problems")
            #expect(result.problems.contains { $0.message == "more problems were found than are listed here" && $0.severity == .error })
        }
        let raw = PythonBags.make("raw.tar", in: s, """
            a = b'v'
            with tarfile.open(out, 'w', format=tarfile.GNU_FORMAT, encoding='utf-8', errors='surrogateescape') as t:
                add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')
                add(t, 'b/manifest-sha256.txt', ('%s  data/x\\ufffd.txt\\n' % hashlib.sha256(a).hexdigest()).encode())
                add(t, 'b/data/x\\udcff.txt', a)
            """)
        let notUTF8 = try BagReader.verify(path: raw)
        #expect(!notUTF8.isValid && notUTF8.archiveProblems.contains { $0.message.contains("is not UTF-8") }, "\(notUTF8.problems)")
    }

    @Test func aGoodBagFromAnotherToolIsValid() throws {
        let s = Scratch(prefix: "kho-verify")
        let path = PythonBags.make("good.tar", in: s, "with tarfile.open(out, 'w') as t: bag(t, [('data/a.txt', b'hello')])")
        #expect(try BagReader.verify(path: path).isValid)
    }

    /// A payload manifest that comes before its payload is read as it comes, not kept: it may be
    /// larger than a kept tag file may be (a whole archive's export lists 1.8 million files in
    /// 216 MB); its entries are what is bounded.
    @Test func aManifestAheadOfItsPayloadIsBoundedByItsEntriesNotItsBytes() throws {
        let s = Scratch(prefix: "kho-verify")
        let path = PythonBags.make("many.tar", in: s, "with tarfile.open(out, 'w') as t: bag(t, [('data/f%04d.txt' % i, b'%d' % i) for i in range(300)])")
        let large = try BagReader.verify(path: path, limits: BagReadLimits(maxTagFile: 4096))
        #expect(large.isValid && large.check.payloadFiles == 300, "\(large.problems)")
        let many = try BagReader.verify(path: path, limits: BagReadLimits(maxManifestEntries: 299))
        #expect(!many.isValid)
        #expect(many.archiveProblems.contains { $0.message.contains("manifest-sha256.txt lists more than 299 files") }, "\(many.problems)")
        #expect(try BagReader.verify(path: path, limits: BagReadLimits(maxManifestEntries: 300)).isValid)
        // One line without end is not held past what any entry needs.
        let endless = PythonBags.make("endless.tar", in: s, "with tarfile.open(out, 'w') as t:\n    add(t, 'b/bagit.txt', b'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')\n    add(t, 'b/manifest-sha256.txt', b'0' * 200000)\n    add(t, 'b/data/a.txt', b'a')")
        let long = try BagReader.verify(path: endless)
        #expect(!long.isValid && long.archiveProblems.contains { $0.message.contains("manifest-sha256.txt has a line longer than 65536 bytes") }, "\(long.problems)")
    }

    /// A file the caller keeps as a record is held in memory only up to maxTagFile, whatever
    /// size its header claims; a walk that stops inside a file being unpacked closes it.
    @Test func aRecordOverTheLimitIsRefusedAndAStoppedUnpackIsClosed() throws {
        let s = Scratch(prefix: "kho-verify")
        let path = PythonBags.make("big-record.tar", in: s, "with tarfile.open(out, 'w') as t: bag(t, [('data/a.bin', b'y' * 5000), ('data/p/metadata.json', b'{' + b' ' * 5000 + b'}')])")
        let asRecords: (String) -> UnpackAs = { $0.hasSuffix("/metadata.json") ? .record : .file }
        func folder(_ name: String) throws -> String {
            try FileManager.default.createDirectory(atPath: s.path + "/" + name, withIntermediateDirectories: true)
            return s.path + "/" + name
        }
        let refused = try BagReader.verify(path: path, limits: BagReadLimits(maxTagFile: 4096), unpackInto: folder("u1"), unpackAs: asRecords)
        #expect(!refused.isValid)
        #expect(refused.archiveProblems.contains { $0.message.contains("metadata.json is larger than 4096 bytes") }, "\(refused.problems)")
        let small = try BagReader.verify(path: path, limits: BagReadLimits(maxTagFile: 1 << 20), unpackInto: folder("u2"), unpackAs: asRecords)
        #expect(small.isValid, "\(small.problems)")
        #expect(try small.payload.unpacked("data/a.bin") != nil)
        #expect(try small.payload.unpacked("data/p/metadata.json") == nil)
        // hashlib.sha256(b'y' * 5000): the unpacked file's digest, as read.
        #expect(try small.payload.sha256("data/a.bin") == "3c45db29c8ef328025296a2b8b1db1afe7229eedd84a62f5290a1f60c47c6ee6")
        #expect(small.recordFiles.isEmpty)
        try small.records?.rewind()
        #expect(try small.records?.next()?.count == 2 + "data/p/metadata.json".utf8.count + 5002)
        // Cut inside a large file's bytes: the walk stops there; no descriptor is left open.
        let cut = PythonBags.make("cut.tar", in: s, "with tarfile.open(out, 'w') as t: bag(t, [('data/big.bin', b'z' * 400000)])\nopen(out, 'r+b').truncate(200000)")
        for n in 0..<5 {
            let damaged = try BagReader.verify(path: cut, unpackInto: folder("c\(n)"), unpackAs: asRecords)
            #expect(!damaged.isValid)
        }
        // No descriptor of this process points into those folders (other tests, running
        // beside this one, may open and close descriptors of their own meanwhile).
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")
        }
        #expect(!open.contains { $0.hasPrefix(s.path + "/c") && $0.hasSuffix("00000001") }, "\(open)")
    }

    @Test func pathsLeavingTheBag() throws {
        let s = Scratch(prefix: "kho-verify")
        try expectRefused(PythonBags.make("dotdot.tar", in: s, "with tarfile.open(out, 'w') as t:\n    bag(t, [('data/a.txt', b'x')])\n    add(t, 'b/data/../../evil.txt', b'x')"), "leaves its folder")
        try expectRefused(PythonBags.make("absolute.tar", in: s, "with tarfile.open(out, 'w') as t:\n    bag(t, [('data/a.txt', b'x')])\n    add(t, '/etc/evil', b'x')"), "absolute")
        try expectRefused(PythonBags.make("two-roots.tar", in: s, "with tarfile.open(out, 'w') as t:\n    bag(t, [('data/a.txt', b'x')])\n    add(t, 'other/x.txt', b'x')"), "one folder")
    }

    @Test func linksAndDevices() throws {
        let s = Scratch(prefix: "kho-verify")
        try expectRefused(PythonBags.make("symlink.tar", in: s, "with tarfile.open(out, 'w') as t:\n    bag(t, [('data/a.txt', b'x')])\n    add(t, 'b/data/link', type=tarfile.SYMTYPE, linkname='/etc/passwd')"), "is a link")
        try expectRefused(PythonBags.make("hardlink.tar", in: s, "with tarfile.open(out, 'w') as t:\n    bag(t, [('data/a.txt', b'x')])\n    add(t, 'b/data/hard', type=tarfile.LNKTYPE, linkname='b/data/a.txt')"), "is a link")
        try expectRefused(PythonBags.make("device.tar", in: s, "with tarfile.open(out, 'w') as t:\n    bag(t, [('data/a.txt', b'x')])\n    add(t, 'b/data/null', type=tarfile.CHRTYPE, devmajor=1, devminor=3)"), "device")
        try expectRefused(PythonBags.make("fifo.tar", in: s, "with tarfile.open(out, 'w') as t:\n    bag(t, [('data/a.txt', b'x')])\n    add(t, 'b/data/pipe', type=tarfile.FIFOTYPE)"), "device, pipe")
    }

    @Test func duplicatesAndCollidingNames() throws {
        let s = Scratch(prefix: "kho-verify")
        try expectRefused(PythonBags.make("dup.tar", in: s, "with tarfile.open(out, 'w') as t:\n    bag(t, [('data/a.txt', b'x')])\n    add(t, 'b/data/a.txt', b'y')"), "appears twice")
        try expectRefused(PythonBags.make("case.tar", in: s, "with tarfile.open(out, 'w') as t: bag(t, [('data/a.txt', b'x'), ('data/A.TXT', b'y')])"), "case-folded")
        try expectRefused(PythonBags.make("nfc.tar", in: s, "with tarfile.open(out, 'w') as t: bag(t, [('data/Vi\\u1ec7t.txt', b'x'), ('data/Vie\\u0302\\u0323t.txt', b'y')])"), "Unicode-normalised")
        try expectRefused(PythonBags.make("dup.zip", in: s, "z = zipfile.ZipFile(out, 'w')\nz.writestr('b/bagit.txt', 'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')\nimport warnings; warnings.simplefilter('ignore')\nz.writestr('b/data/a.txt', 'x')\nz.writestr('b/data/a.txt', 'y')\nz.close()"), "appears twice")
    }

    @Test func absurdSizesDamageAndBombs() throws {
        let s = Scratch(prefix: "kho-verify")
        // A header claiming 2 TiB with nothing behind it.
        let absurd = PythonBags.make("absurd.tar", in: s, "with tarfile.open(out, 'w', format=tarfile.PAX_FORMAT) as t:\n    bag(t, [('data/a.txt', b'x')])\n    info = tarfile.TarInfo('b/data/huge'); info.size = 2 << 40\n    t.fileobj.write(info.tobuf(tarfile.PAX_FORMAT))")
        try expectRefused(absurd, "claims")
        // A gzip cut in the middle, and one with damaged bytes.
        let good = PythonBags.make("good.tar.gz", in: s, "with tarfile.open(out, 'w:gz') as t: bag(t, [('data/a.txt', __import__('random').Random(1).randbytes(200000))])")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: "\(s.path)/cut.tar.gz"))
        try expectRefused("\(s.path)/cut.tar.gz", "damaged or truncated")
        var broken = bytes
        for i in stride(from: 200, to: 600, by: 7) { broken[i] ^= 0x5A }
        try broken.write(to: URL(fileURLWithPath: "\(s.path)/broken.tar.gz"))
        try expectRefused("\(s.path)/broken.tar.gz", "damaged or truncated")
        // 64 MB of zeros in a small zip: more than 10 times its size, over a 1 MB floor.
        let bomb = PythonBags.make("bomb.zip", in: s, "z = zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED)\nz.writestr('b/bagit.txt', 'BagIt-Version: 1.0\\nTag-File-Character-Encoding: UTF-8\\n')\nz.writestr('b/data/zeros', bytes(64 << 20))\nz.close()")
        try expectRefused(bomb, "zip bomb", limits: BagReadLimits(maxExpansion: 10, floorBytes: 1 << 20))
        // Not an archive at all.
        let text = PythonBags.make("notes.txt", in: s, "open(out, 'w').write('just text')")
        try expectRefused(text, "not a tar or zip")
    }
}
