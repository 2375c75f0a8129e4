import Foundation
import KhoTesting
import Testing

/// Exports checked with the tools the receiving side uses: tar/zstd/zipfile to unpack, the
/// Library of Congress validator (bagit.py, installed by Scripts/test) and xmllint with the
/// Dublin Core schemas of the shared test data.
@Suite struct ExportTests {
    static var bagitPy: String? {
        let candidates: [String?] = [ProcessInfo.processInfo.environment["KHO_BAGIT_PY"], repositoryRoot.appendingPathComponent(".build/tools/venv/bin/bagit.py").path]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Three products from a manifest (one restricted), and one with a file named with `%` and a line break.
    func workspace() -> Workspace {
        let ws = Workspace()
        ws.file("m/files/a.txt", "Bài A")
        ws.file("m/files/c.pdf", "%PDF-1.4 C")
        let rows = [
            "source_id,title,kind,languages,unit,produced,published,channels,files,carrier,access",
            "A,Bài A,article,vi,23281,,2024-03-10,facebook,files/a.txt,,",
            "B,Mật B,leaflet,vi,23284,2024-05-01,,,,paper,restricted",
            "C,Tờ gấp C,leaflet,vi|hmn,00004,,2024-12-31,print,files/c.pdf,,",
        ]
        ws.file("m/manifest.csv", rows.joined(separator: "\n") + "\n")
        let r = ws.run(["import", "\(ws.path)/m/manifest.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        _ = ws.ingest(ws.file("tỉ lệ 100%\nbáo cáo.txt", "tên lạ"), title: "Tên tệp lạ")
        return ws
    }

    func unpack(_ ws: Workspace, _ file: String, into dir: String) -> Bool {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r: Run
        if file.hasSuffix(".zip") {
            r = ws.run(executable: "/usr/bin/env", ["python3", "-m", "zipfile", "-e", file, dir])
        } else if file.hasSuffix(".tar.zst") {
            r = ws.run(executable: "/usr/bin/env", ["tar", "--zstd", "-xf", file, "-C", dir])
        } else {
            r = ws.run(executable: "/usr/bin/env", ["tar", "-xf", file, "-C", dir])
        }
        #expect(r.status == 0, "unpacking \(file): \(r.stderr)")
        return r.status == 0
    }

    @Test func everyFormatIsAValidBagForTheLibraryOfCongressValidator() throws {
        let bagit = try #require(Self.bagitPy, "bagit.py is not installed: run the tests with Scripts/test")
        let ws = workspace()
        for format in ["tar", "tar.gz", "tar.zst", "zip"] {
            let file = "\(ws.path)/out.\(format)"
            let r = ws.run(["export", "-o", file, "--sha512", "--json"])
            #expect(r.status == 0, "\(format): \(r.stderr)")
            #expect(r.object["products"] as? Int == 3)
            #expect(r.object["restrictedLeftOut"] as? Int == 1)
            let dir = "\(ws.path)/x-\(format)"
            guard unpack(ws, file, into: dir) else { continue }
            let bags = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(bags.count == 1 && bags[0].hasPrefix("kho-export-"))
            let bag = "\(dir)/\(bags[0])"
            let check = ws.run(executable: bagit, ["--validate", bag])
            #expect(check.status == 0, "bagit.py on the \(format) bag: \(check.stderr.suffix(600))")
            #expect(check.stderr.contains("is valid"))
            let manifest = try String(contentsOfFile: "\(bag)/manifest-sha256.txt", encoding: .utf8)
            #expect(manifest.contains("tỉ lệ 100％_báo cáo.txt"), "% and LF made safe in the name")
            #expect(!manifest.contains("Mật B"))
            #expect(FileManager.default.fileExists(atPath: "\(bag)/manifest-sha512.txt") && FileManager.default.fileExists(atPath: "\(bag)/tagmanifest-sha512.txt"))
            let info = try String(contentsOfFile: "\(bag)/bag-info.txt", encoding: .utf8)
            #expect(info.contains("Kho-Product-Count: 3\n") && info.contains("Kho-Restricted-Left-Out: 1\n") && info.contains("Payload-Oxum: "))
            #expect(info.contains("External-Identifier: urn:kho:export:\(bags[0].dropFirst("kho-export-".count))\n"))
        }
    }

    @Test func theSameScopeTwiceGivesTheSameBytes() throws {
        let ws = workspace()
        for format in ["tar", "tar.gz", "zip"] {
            #expect(ws.run(["export", "-o", "\(ws.path)/one.\(format)"]).status == 0)
            #expect(ws.run(["export", "-o", "\(ws.path)/two.\(format)"]).status == 0)
            let one = try Data(contentsOf: URL(fileURLWithPath: "\(ws.path)/one.\(format)"))
            let two = try Data(contentsOf: URL(fileURLWithPath: "\(ws.path)/two.\(format)"))
            #expect(one == two, "\(format) exports differ")
        }
        // A change in the archive gives another bag.
        let id = ws.run(["list", "--json"]).array.first { $0["title"] as? String == "Bài A" }?["id"] as? String
        #expect(ws.run(["edit", try #require(id), "--title", "Bài A (sửa)"]).status == 0)
        #expect(ws.run(["export", "-o", "\(ws.path)/three.tar"]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(ws.path)/three.tar")) != Data(contentsOf: URL(fileURLWithPath: "\(ws.path)/one.tar")))
    }

    @Test func metadataAndDublinCoreTravelWithEachProduct() throws {
        let ws = workspace()
        #expect(ws.run(["export", "--unit", "51", "--unit-table", "from-2025", "--period", "2024", "-o", "\(ws.path)/qn.tar"]).status == 0)
        guard unpack(ws, "\(ws.path)/qn.tar", into: "\(ws.path)/x") else { return }
        let bag = "\(ws.path)/x/" + (try FileManager.default.contentsOfDirectory(atPath: "\(ws.path)/x"))[0]
        let products = try FileManager.default.contentsOfDirectory(atPath: "\(bag)/data")
        #expect(products.count == 1)   // A (old Kon Tum commune, in Quảng Ngãi today); B is restricted
        let folder = "\(bag)/data/\(products[0])"
        let metadata = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/metadata.json"))) as? [String: Any])
        let product = try #require(metadata["product"] as? [String: Any])
        #expect(product["id"] as? String == products[0] && product["title"] as? String == "Bài A")
        #expect((product["events"] as? [[String: Any]])?.isEmpty == false)
        #expect((metadata["bagFiles"] as? [[String: Any]])?.first?["path"] as? String == "data/\(products[0])/a.txt")
        #expect(try String(contentsOfFile: "\(folder)/a.txt", encoding: .utf8) == "Bài A")
        // dc.xml against the oai_dc schema of the shared test data (its imports made local).
        if let official = SharedTestData.path("oai-pmh-schemas") {
            let schemas = "\(ws.path)/xsd"
            try FileManager.default.createDirectory(atPath: schemas, withIntermediateDirectories: true)
            for name in ["oai_dc.xsd", "simpledc20021212.xsd", "xml.xsd"] {
                var text = try String(contentsOf: official.appendingPathComponent(name), encoding: .utf8)
                text = text.replacingOccurrences(of: "http://dublincore.org/schemas/xmls/simpledc20021212.xsd", with: "simpledc20021212.xsd")
                    .replacingOccurrences(of: "http://www.w3.org/2001/03/xml.xsd", with: "xml.xsd")
                try text.write(toFile: "\(schemas)/\(name)", atomically: true, encoding: .utf8)
            }
            let lint = ws.run(executable: "/usr/bin/env", ["xmllint", "--noout", "--nonet", "--schema", "\(schemas)/oai_dc.xsd", "\(folder)/dc.xml"])
            #expect(lint.status == 0, "\(lint.stderr)")
        }
        let dc = try String(contentsOfFile: "\(folder)/dc.xml", encoding: .utf8)
        #expect(dc.contains("<dc:language>vi</dc:language>") && dc.contains("Quang Trung") && dc.contains("Kon Tum"))
    }

    @Test func bundleVerifyAcceptsOurBagsAndFindsDamage() throws {
        let ws = workspace()
        for format in ["tar", "tar.gz", "tar.zst", "zip"] {
            #expect(ws.run(["export", "-o", "\(ws.path)/ok.\(format)"]).status == 0)
            let ok = ws.run(["bundle", "verify", "\(ws.path)/ok.\(format)", "--json"])
            #expect(ok.status == 0, "\(format): \(ok.out)")
            #expect(ok.object["valid"] as? Bool == true && ok.object["payloadFiles"] as? Int == 3 * 3)   // three products: a file, metadata.json, dc.xml each
        }
        // One byte of a payload file changed inside the tar: exit 3, naming the file.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: "\(ws.path)/ok.tar"))
        let needle = Data("Bài A".utf8)
        let at = try #require(bytes.range(of: needle))
        bytes[at.lowerBound] = UInt8(ascii: "C")
        try bytes.write(to: URL(fileURLWithPath: "\(ws.path)/bad.tar"))
        let bad = ws.run(["bundle", "verify", "\(ws.path)/bad.tar"])
        #expect(bad.status == 3)
        #expect(bad.out.contains("a.txt has sha256") && bad.out.contains("invalid"))
        // An empty incremental bag is still a bag.
        #expect(ws.run(["export", "-o", "\(ws.path)/full.tar"]).status == 0)
        #expect(ws.run(["export", "--since-last", "-o", "\(ws.path)/empty.tar"]).status == 0)
        #expect(ws.run(["bundle", "verify", "\(ws.path)/empty.tar"]).status == 0)
        if let bagit = Self.bagitPy, unpack(ws, "\(ws.path)/empty.tar", into: "\(ws.path)/empty") {
            let bag = try FileManager.default.contentsOfDirectory(atPath: "\(ws.path)/empty")[0]
            let check = ws.run(executable: bagit, ["--validate", "\(ws.path)/empty/\(bag)"])
            #expect(check.status == 0, "\(check.stderr.suffix(400))")
        }
    }

    @Test func mistakesAreClearAndLeaveNoFile() {
        let ws = workspace()
        let noFormat = ws.run(["export", "-o", "\(ws.path)/out.bin"])
        #expect(noFormat.status == 1 && noFormat.stderr.contains(".tar.gz"))
        let badUnit = ws.run(["export", "--unit", "99999", "-o", "\(ws.path)/out.tar"])
        #expect(badUnit.status == 1 && badUnit.stderr.contains("99999"))
        #expect(!FileManager.default.fileExists(atPath: "\(ws.path)/out.tar"))
        ws.file("keep.tar", "mine")
        let exists = ws.run(["export", "-o", "\(ws.path)/keep.tar"])
        #expect(exists.status == 1 && exists.stderr.contains("--force"))
        #expect((try? String(contentsOfFile: "\(ws.path)/keep.tar", encoding: .utf8)) == "mine")
    }
}

extension ExportTests {
    @Test func sinceLastTakesExactlyTheChanges() throws {
        let ws = workspace()
        let full = ws.run(["export", "-o", "\(ws.path)/full.tar", "--json"])
        #expect(full.status == 0, "\(full.stderr)")
        #expect((full.object["productIDs"] as? [String])?.count == 3)
        let noneYet = ws.run(["export", "--unit", "00004", "--since-last", "-o", "\(ws.path)/x.tar"])
        #expect(noneYet.status == 1 && noneYet.stderr.contains("no export of this scope"))
        // Three changes: a new product, new metadata, a new file; the fourth product stays.
        let products = ws.run(["list", "--json"]).array
        func id(_ title: String) -> String { products.first { $0["title"] as? String == title }?["id"] as? String ?? "?" }
        let added = ws.ingest(ws.file("new.txt", "mới"), title: "Sản phẩm mới")
        #expect(ws.run(["edit", id("Bài A"), "--description", "Thêm mô tả"]).status == 0)
        #expect(ws.run(["attach", id("Tờ gấp C"), ws.file("c-scan.pdf", "%PDF-1.4 scan"), "--role", "access"]).status == 0)
        let delta = ws.run(["export", "--since-last", "-o", "\(ws.path)/delta.tar", "--json"])
        #expect(delta.status == 0, "\(delta.stderr)")
        #expect(Set(delta.object["productIDs"] as? [String] ?? []) == [added, id("Bài A"), id("Tờ gấp C")])
        #expect(delta.object["follows"] as? String == full.object["exportID"] as? String)
        // Nothing changed since: an empty bag, and the list of exports has all three.
        let again = ws.run(["export", "--since-last", "-o", "\(ws.path)/again.tar", "--json"])
        #expect((again.object["productIDs"] as? [String])?.isEmpty == true)
        let list = ws.run(["exports", "--json"]).array
        #expect(list.map { $0["exportID"] as? String } == [full, delta, again].map { $0.object["exportID"] as? String })
        #expect(list[1]["bundleSHA256"] as? String == delta.object["bundleSHA256"] as? String)
        // Each export's products, read one export at a time, and their number.
        #expect(list.map { $0["products"] as? [String] } == [full, delta, again].map { $0.object["productIDs"] as? [String] })
        #expect(list.map { $0["productCount"] as? Int } == [3, 3, 0])
        #expect(ws.run(["exports"]).out.contains("3 product(s)"))
        // A result that cannot be printed (a full disk) is said, with what was done nonetheless.
        for arguments in [["exports", "--json"], ["export", "-o", "\(ws.path)/full-disk.tar", "--json"]] {
            let cut = ws.run(executable: "/bin/sh", ["-c", "exec \"$0\" \"$@\" > /dev/full", Kho.binary] + arguments, env: ["KHO_STORAGE": ws.archive])
            #expect(cut.status == 1 && cut.stderr.contains("could not write the result to standard output"), "\(cut.stderr)")
        }
        #expect(ws.run(["exports", "--json"]).array.count == 4, "the export whose report was lost is recorded")
        let shaOfFile = ws.run(executable: "/usr/bin/env", ["sha256sum", "\(ws.path)/delta.tar"]).out.prefix(64)
        #expect(String(shaOfFile) == delta.object["bundleSHA256"] as? String)
    }

    @Test func anExportKilledHalfWayLeavesNoBundleAndNoCursor() throws {
        let ws = Workspace()
        // 600 MB of zeros: stored once, slow enough to export that the kill lands mid-way.
        let big = "\(ws.path)/big.bin"
        FileManager.default.createFile(atPath: big, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        try handle.truncate(atOffset: 600 << 20)
        try handle.close()
        _ = ws.ingest(big, title: "Tệp lớn")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Kho.binary)
        process.arguments = ["export", "-o", "\(ws.path)/bundle.tar", "--storage", ws.archive]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the partial bundle has grown, then kill the process outright.
        var partialSeen = false
        for _ in 0..<2000 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: ws.path)) ?? []
            if let partial = names.first(where: { $0.hasPrefix("bundle.tar.kho-partial") }),
               let size = (try? FileManager.default.attributesOfItem(atPath: "\(ws.path)/\(partial)"))?[.size] as? Int, size > 0 {
                partialSeen = true
                break
            }
            if !process.isRunning { break }
            usleep(2000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(partialSeen, "the export finished before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: "\(ws.path)/bundle.tar"), "no bundle under its final name")
        #expect(ws.run(["exports", "--json"]).array.isEmpty, "no record")
        let next = ws.run(["export", "--since-last", "-o", "\(ws.path)/next.tar"])
        #expect(next.status == 1 && next.stderr.contains("no export of this scope"), "the cursor did not move")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: ws.path)) ?? []).contains { $0.hasPrefix("bundle.tar.kho-partial-") })
        // Run again to the end: it completes, is recorded, and clears the dead run's partial file.
        #expect(ws.run(["export", "-o", "\(ws.path)/bundle.tar"]).status == 0)
        #expect(ws.run(["exports", "--json"]).array.count == 1)
        #expect(!((try? FileManager.default.contentsOfDirectory(atPath: ws.path)) ?? []).contains { $0.hasPrefix("bundle.tar.kho-partial-") })
    }
}

extension ExportTests {
    /// The receiving side: a second archive beside the first.
    func receiver(_ ws: Workspace) -> (run: ([String]) -> Run, archive: String) {
        let archive = "\(ws.path)/province"
        _ = ws.run(["init", archive], storage: false)
        return ({ args in ws.run(args + ["--storage", archive], storage: false) }, archive)
    }

    @Test func exportVerifyImportGivesTheSameProductsMetadataAndBytes() throws {
        let ws = workspace()
        #expect(ws.run(["export", "-o", "\(ws.path)/commune.tar.gz"]).status == 0)
        let province = receiver(ws)
        let first = province.run(["bundle", "import", "\(ws.path)/commune.tar.gz", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect((first.object["stored"] as? [String])?.count == 3)
        let sent = ws.run(["list", "--json"]).array.filter { $0["access"] as? String != "restricted" }
        for product in sent {
            let id = try #require(product["id"] as? String)
            let here = province.run(["show", id, "--json"]).object
            for key in ["title", "kind", "languages", "unit", "produced", "published", "channels", "access", "digitized", "origin", "carrier"] {
                #expect("\(here[key] ?? "nil")" == "\(product[key] ?? "nil")", "\(id) \(key)")
            }
            let sentFiles = (product["files"] as? [[String: Any]] ?? []).map { $0["sha256"] as? String }
            let hereFiles = (here["files"] as? [[String: Any]] ?? []).map { $0["sha256"] as? String }
            #expect(sentFiles == hereFiles)
            let events = (here["events"] as? [[String: Any]] ?? []).map { $0["type"] as? String }
            #expect(events.contains("bundle_import") && events.contains("ingestion"), "history and provenance: \(events)")
            if !sentFiles.isEmpty {
                let out = "\(ws.path)/\(id).out"
                #expect(province.run(["get", id, "-o", out]).status == 0)
                #expect(ws.sha256(of: out) == sentFiles[0])
            }
        }
        #expect(province.run(["verify"]).status == 0)
        // The same bundle again changes nothing, not even the event log.
        let eventsBefore = province.run(["show", sent[0]["id"] as! String, "--json"]).object["events"] as? [[String: Any]]
        let second = province.run(["bundle", "import", "\(ws.path)/commune.tar.gz", "--json"])
        #expect((second.object["unchanged"] as? [String])?.count == 3 && (second.object["stored"] as? [String])?.isEmpty == true)
        let eventsAfter = province.run(["show", sent[0]["id"] as! String, "--json"]).object["events"] as? [[String: Any]]
        #expect(eventsBefore?.count == eventsAfter?.count)
        // A later export of the changes updates them.
        let id = try #require(sent.first { $0["title"] as? String == "Bài A" }?["id"] as? String)
        #expect(ws.run(["edit", id, "--description", "Đã sửa ở xã"]).status == 0)
        #expect(ws.run(["export", "--since-last", "-o", "\(ws.path)/delta.tar"]).status == 0)
        let third = province.run(["bundle", "import", "\(ws.path)/delta.tar", "--json"])
        #expect(third.object["updated"] as? [String] == [id])
        #expect(province.run(["show", id, "--json"]).object["description"] as? String == "Đã sửa ở xã")
    }

    @Test func aBadBundleStoresNothing() throws {
        let ws = workspace()
        #expect(ws.run(["export", "-o", "\(ws.path)/ok.tar"]).status == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: "\(ws.path)/ok.tar"))
        let at = try #require(bytes.range(of: Data("Bài A".utf8)))
        bytes[at.lowerBound] = UInt8(ascii: "C")
        try bytes.write(to: URL(fileURLWithPath: "\(ws.path)/bad.tar"))
        let province = receiver(ws)
        let bad = province.run(["bundle", "import", "\(ws.path)/bad.tar"])
        #expect(bad.status == 3 && bad.stderr.contains("nothing was stored"))
        #expect(province.run(["list", "--json"]).array.isEmpty)
        #expect(filesUnder("\(province.archive)/blobs").isEmpty)
        // A valid bag that Kho did not make is refused, and stores nothing either.
        if let foreign = SharedTestData.path("bagit-conformance-cases/v1.0/valid") {
            #expect(ws.run(executable: "/usr/bin/env", ["tar", "-cf", "\(ws.path)/foreign.tar", "-C", foreign.path, "basicBag"]).status == 0)
            let other = province.run(["bundle", "import", "\(ws.path)/foreign.tar"])
            #expect(other.status == 1 && other.stderr.contains("not made by Kho"))
            #expect(province.run(["list", "--json"]).array.isEmpty)
        }
    }
}

extension ExportTests {
    /// Hostile bundles given to `kho bundle import`: each refused with its reason, nothing in
    /// the catalog, the blob store or the temporary area.
    @Test func hostileBundlesAreRefusedAndStoreNothing() throws {
        let ws = Workspace()
        let province = receiver(ws)
        // Every bag claims to come from a Kho archive (bag-info.txt names one).
        let base = "def kho_bag(t, files): bag(t, files, info=b'Kho-Archive-ID: x\\n')\n"
        let scratch = Scratch(prefix: "kho-hostile")
        let cases: [(String, String, String)] = [
            ("dotdot.tar", "with tarfile.open(out, 'w') as t:\n    kho_bag(t, [('data/a.txt', b'x')])\n    add(t, 'b/data/../../evil.txt', b'x')", "leaves its folder"),
            ("absolute.tar", "with tarfile.open(out, 'w') as t:\n    kho_bag(t, [('data/a.txt', b'x')])\n    add(t, '/tmp/evil.txt', b'x')", "absolute"),
            ("link.tar", "with tarfile.open(out, 'w') as t:\n    kho_bag(t, [('data/a.txt', b'x')])\n    add(t, 'b/data/l', type=tarfile.SYMTYPE, linkname='/etc/passwd')", "is a link"),
            ("device.tar", "with tarfile.open(out, 'w') as t:\n    kho_bag(t, [('data/a.txt', b'x')])\n    add(t, 'b/data/null', type=tarfile.CHRTYPE, devmajor=1, devminor=3)", "device"),
            ("duplicate.tar", "with tarfile.open(out, 'w') as t:\n    kho_bag(t, [('data/a.txt', b'x')])\n    add(t, 'b/data/a.txt', b'y')", "appears twice"),
            ("case.tar", "with tarfile.open(out, 'w') as t: kho_bag(t, [('data/a.txt', b'x'), ('data/A.txt', b'y')])", "case-folded"),
            ("truncated.tar.gz", "buf = io.BytesIO()\nwith tarfile.open(fileobj=buf, mode='w:gz') as t: kho_bag(t, [('data/a.bin', bytes(range(256)) * 4000)])\nopen(out, 'wb').write(buf.getvalue()[:len(buf.getvalue()) // 2])", "damaged or truncated"),
        ]
        for (name, code, reason) in cases {
            let out = PythonBags.make(name, in: scratch, base + code)
            let r = province.run(["bundle", "import", out])
            #expect(r.status == 3, "\(name): \(r.stderr)")
            #expect(r.stderr.contains(reason) && r.stderr.contains("nothing was stored"), "\(name): \(r.stderr)")
        }
        #expect(province.run(["list", "--json"]).array.isEmpty)
        #expect(filesUnder("\(province.archive)/blobs").isEmpty)
        #expect(filesUnder("\(province.archive)/tmp").filter { !$0.hasSuffix(".lock") }.isEmpty)
    }
}
