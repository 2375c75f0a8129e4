// A lost catalog rebuilt from the products' sidecars and the blobs: the same products, files,
// events (kho show --json of each) and the same report fingerprints; from a replica's folder
// when the archive's own disk lost its blobs too; a sidecar tampered with is named and left
// out; a kill during the rebuild leaves the old catalog (or none), never half of one.
import Foundation
import KhoTesting
import Testing

@Suite struct RebuildTests {
    /// An office's archive with every kind of history: ingests, registrations and imports with
    /// source IDs, an edit, an attachment, a restricted product, a withdrawal.
    func office(_ ws: Workspace) -> [String] {
        var ids = [
            ws.ingest(ws.file("a.txt", "Bài viết về quyền con người"), title: "Bài viết A"),
            ws.ingest(ws.file("b.jpg", "ảnh"), title: "Ảnh B", extra: ["--access", "internal"]),
            ws.ingest(ws.file("s.txt", "Tài liệu mật"), title: "Tài liệu mật", extra: ["--access", "restricted"]),
        ]
        ws.file("m/manifest.csv", """
            source_id,title,kind,languages,unit,produced,published,channels,carrier
            S1,Tờ rơi xã Đông,leaflet,vi,23293,2024-03-01,2024-03-02,loudspeaker,paper
            S2,Phát thanh tiếng Tày,radio_report,tyz,23293,2025-08-10,2025-08-11,radio|facebook,audio_tape
            S3,Áp phích Hmông,poster,hmn|vi,01,2023-05-05,,,paper
            """)
        #expect(ws.run(["import", "\(ws.path)/m/manifest.csv"]).status == 0)
        ids += ws.run(["list", "--json"]).array.compactMap { $0["id"] as? String }.filter { !ids.contains($0) }
        guard ids.count == 6 else { return ids }
        #expect(ws.run(["edit", ids[0], "--title", "Bài viết A (sửa)", "--channel", "zalo"]).status == 0)
        #expect(ws.run(["attach", ids[3], ws.file("scan.pdf", "%PDF-1.4 bản quét")]).status == 0)
        #expect(ws.run(["withdraw", ids[4], "--reason", "Trùng với bản khác"]).status == 0)
        return ids
    }

    func snapshot(_ ws: Workspace, _ ids: [String]) -> [String] {
        ids.map { ws.run(["show", $0, "--json"]).out }
    }

    func fingerprints(_ ws: Workspace) -> [String] {
        [["--period", "2023-01-01..2028-12-31"], ["--period", "2024", "--unit", "23293"], ["--period", "2025", "--by", "unit"]].map {
            ws.run(["report", "--json"] + $0).object["fingerprint"] as? String ?? "none"
        }
    }

    func dropCatalog(_ ws: Workspace) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: ws.archive) where name.hasPrefix("catalog.sqlite") {
            try FileManager.default.removeItem(atPath: "\(ws.archive)/\(name)")
        }
    }

    @Test func aLostCatalogComesBackTheSame() throws {
        let ws = Workspace()
        let ids = office(ws)
        try #require(ids.count == 6)
        let before = snapshot(ws, ids), reports = fingerprints(ws)
        #expect(reports.allSatisfy { $0.count == 64 })
        try dropCatalog(ws)
        // Never an empty catalog in its place by accident.
        let refused = ws.run(["list"])
        #expect(refused.status != 0 && refused.stderr.contains("kho rebuild-catalog"), "\(refused.stderr)")
        let rebuilt = ws.run(["rebuild-catalog", "--json"])
        #expect(rebuilt.status == 0, "\(rebuilt.out) \(rebuilt.stderr)")
        #expect(rebuilt.object["products"] as? Int == 6 && rebuilt.object["previousCatalog"] == nil, "\(rebuilt.out)")
        #expect(snapshot(ws, ids) == before)
        #expect(fingerprints(ws) == reports)
        // The import's source IDs came back: the same manifest again stores nothing new.
        let again = ws.run(["import", "\(ws.path)/m/manifest.csv", "--json"])
        #expect(again.object["stored"] as? Int == 0, "\(again.out)")
        // A damaged catalog: rebuilt the same, the old one kept aside.
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: "\(ws.archive)/catalog.sqlite"))
        let second = ws.run(["rebuild-catalog", "--json"])
        #expect(second.status == 0 && (second.object["previousCatalog"] as? String)?.contains("before-rebuild") == true, "\(second.out) \(second.stderr)")
        #expect(snapshot(ws, ids) == before && fingerprints(ws) == reports)
        // A healthy catalog is not replaced by one with fewer products (a sidecar lost) unless told.
        let shard = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(ws.archive)/sidecars").first {
            $0.count == 2 && !((try? FileManager.default.contentsOfDirectory(atPath: "\(ws.archive)/sidecars/\($0)")) ?? []).isEmpty
        })
        let one = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(ws.archive)/sidecars/\(shard)").first)
        try FileManager.default.moveItem(atPath: "\(ws.archive)/sidecars/\(shard)/\(one)", toPath: "\(ws.path)/kept.json")
        let fewer = ws.run(["rebuild-catalog"])
        #expect(fewer.status == 1 && fewer.stderr.contains("--force"), "\(fewer.status) \(fewer.stderr)")
        #expect(snapshot(ws, ids) == before)
        try FileManager.default.moveItem(atPath: "\(ws.path)/kept.json", toPath: "\(ws.archive)/sidecars/\(shard)/\(one)")
    }

    @Test func fromAReplicaWhenTheDiskLostItsBlobsToo() throws {
        let ws = Workspace()
        let ids = office(ws)
        try #require(ids.count == 6)
        let usb = "\(ws.path)/usb"
        #expect(ws.run(["replica", "add", "usb", usb, "--same-disk", "--include-restricted"]).status == 0)
        #expect(ws.run(["replicate"]).status == 0)
        let before = snapshot(ws, ids), reports = fingerprints(ws)
        try dropCatalog(ws)
        try FileManager.default.removeItem(atPath: "\(ws.archive)/blobs")
        try FileManager.default.removeItem(atPath: "\(ws.archive)/sidecars")
        // A sidecar altered in the replica: its bytes no longer hash to its name; named, left out.
        let shard = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(usb)/sidecars").first {
            $0.count == 2 && !((try? FileManager.default.contentsOfDirectory(atPath: "\(usb)/sidecars/\($0)")) ?? []).isEmpty
        })
        let victim = try #require(try FileManager.default.contentsOfDirectory(atPath: "\(usb)/sidecars/\(shard)").first)
        let path = "\(usb)/sidecars/\(shard)/\(victim)"
        _ = chmod(path, 0o644)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        try (original + Data(" ".utf8)).write(to: URL(fileURLWithPath: path))
        let rebuilt = ws.run(["rebuild-catalog", "--from", usb, "--json"])
        #expect(rebuilt.status == 3, "\(rebuilt.out) \(rebuilt.stderr)")
        #expect((rebuilt.object["unusable"] as? [String])?.first?.contains("do not hash to its name") == true, "\(rebuilt.out)")
        #expect(rebuilt.object["products"] as? Int == 5)
        try original.write(to: URL(fileURLWithPath: path))
        try dropCatalog(ws)
        let whole = ws.run(["rebuild-catalog", "--from", usb, "--json"])
        #expect(whole.status == 0 && whole.object["products"] as? Int == 6, "\(whole.out) \(whole.stderr)")
        #expect(snapshot(ws, ids) == before && fingerprints(ws) == reports)
        #expect(ws.run(["verify"]).status == 0, "the blobs came back from the replica, each hashed")
        // The disk died: a new folder with the archive's marker from the replica, rebuilt from it.
        let newDisk = "\(ws.path)/new-disk"
        try FileManager.default.createDirectory(atPath: newDisk, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(usb)/kho-archive.json", toPath: "\(newDisk)/kho-archive.json")
        let restored = ws.run(["rebuild-catalog", "--storage", newDisk, "--from", usb, "--json"])
        #expect(restored.status == 0 && restored.object["products"] as? Int == 6, "\(restored.out) \(restored.stderr)")
        #expect(ids.map { ws.run(["show", $0, "--json", "--storage", newDisk]).out } == before)
        #expect(ws.run(["verify", "--storage", newDisk]).status == 0)
        // Another archive's folder is refused.
        let other = Workspace()
        #expect(other.run(["init"]).status == 0)
        let foreign = ws.run(["rebuild-catalog", "--from", other.archive])
        #expect(foreign.status == 2 && foreign.stderr.contains("not a copy of this archive"), "\(foreign.stderr)")
    }

    /// A large import's sidecars go into a pack (sidecars/packs/NNNNNNNNNN.tar): the catalog
    /// comes back from it the same; a damaged member is named and left out; a replica gets
    /// each as a file of its own (a restricted product's not at all) and rebuilds the same.
    @Test func packedSidecarsRebuildAndReplicate() throws {
        let ws = Workspace()
        var rows = "source_id,title,kind,languages,unit,produced,published,channels,carrier,access\n"
        for i in 1...300 { rows += "P\(i),Tờ rơi \(i),leaflet,vi,23293,2024-01-0\(1 + i % 9),,,paper,\(i == 7 ? "restricted" : "public")\n" }
        ws.file("big/manifest.csv", rows)
        #expect(ws.run(["import", "\(ws.path)/big/manifest.csv"]).status == 0)
        let fm = FileManager.default
        let packs = try fm.contentsOfDirectory(atPath: "\(ws.archive)/sidecars/packs")
        #expect(packs == ["0000000001.tar"])
        #expect(try fm.subpathsOfDirectory(atPath: "\(ws.archive)/sidecars").filter { $0.hasSuffix(".json") }.isEmpty)
        let list = ws.run(["list", "--json", "--limit", "1000"]).out
        try dropCatalog(ws)
        let rebuilt = ws.run(["rebuild-catalog", "--json"])
        #expect(rebuilt.status == 0 && rebuilt.object["products"] as? Int == 300, "\(rebuilt.out) \(rebuilt.stderr)")
        #expect(ws.run(["list", "--json", "--limit", "1000"]).out == list)
        // The rebuilt catalog names the pack: a replicate reads the sidecars from it.
        let usb = "\(ws.path)/usb"
        #expect(ws.run(["replica", "add", "usb", usb, "--same-disk"]).status == 0)
        let replicated = ws.run(["replicate", "--json"])
        #expect(replicated.status == 0, "\(replicated.out) \(replicated.stderr)")
        let copies = try fm.subpathsOfDirectory(atPath: "\(usb)/sidecars").filter { $0.hasSuffix(".json") }
        #expect(copies.count == 299, "the restricted product's sidecar stays home")
        // A member damaged in the pack: named, left out.
        let pack = "\(ws.archive)/sidecars/packs/0000000001.tar"
        _ = chmod(pack, 0o644)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pack)))
        bytes[512 + 20] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: pack))
        try dropCatalog(ws)
        let damaged = ws.run(["rebuild-catalog", "--json"])
        #expect(damaged.status == 3 && damaged.object["products"] as? Int == 299, "\(damaged.out) \(damaged.stderr)")
        let unusable = damaged.object["unusable"] as? [String] ?? []
        #expect(unusable.count == 1 && unusable.first?.contains("0000000001.tar (its member") == true
                && unusable.first?.contains("do not hash to its name") == true, "\(unusable)")
        // From the replica instead: its 299 files, copied in as files of their own. The
        // archive's own pack stays (it holds the restricted product's document, which the
        // replica lacks) and keeps its number: the next large renewal takes another.
        try dropCatalog(ws)
        let fromUSB = ws.run(["rebuild-catalog", "--from", usb, "--json"])
        #expect(fromUSB.status == 0 && fromUSB.object["products"] as? Int == 299, "\(fromUSB.out) \(fromUSB.stderr)")
        #expect(try fm.subpathsOfDirectory(atPath: "\(ws.archive)/sidecars").filter { $0.hasSuffix(".json") }.count == 299)
        var more = "source_id,title,kind,languages,unit,produced,published,channels,carrier\n"
        for i in 1...300 { more += "Q\(i),Áp phích \(i),poster,vi,23293,2025-02-0\(1 + i % 9),,,paper\n" }
        ws.file("more/manifest.csv", more)
        #expect(ws.run(["import", "\(ws.path)/more/manifest.csv"]).status == 0)
        #expect(try fm.contentsOfDirectory(atPath: "\(ws.archive)/sidecars/packs").sorted() == ["0000000001.tar", "0000000002.tar"])
        #expect(fm.contents(atPath: pack).map { [UInt8]($0) } == bytes, "the archive's own pack was left as it was")
    }

    @Test func aKillDuringTheRebuildLeavesTheOldCatalogOrNone() throws {
        let ws = Workspace()
        var rows = "source_id,title,kind,languages,unit,produced,published,channels,carrier\n"
        for i in 1...3000 { rows += "K\(i),Sản phẩm \(i),leaflet,vi,23293,2024-01-0\(1 + i % 9),,,paper\n" }
        ws.file("big/manifest.csv", rows)
        #expect(ws.run(["import", "\(ws.path)/big/manifest.csv"]).status == 0)
        #expect(ws.run(["list", "--json"]).array.count == 3000)
        for delay in [20_000, 120_000, 300_000, 600_000] as [UInt32] {
            try ws.runKilled(["rebuild-catalog"], after: delay)
            // Whatever the moment: the catalog is whole (all 3000) or there is none to open.
            let list = ws.run(["list", "--json"])
            if list.status == 0 {
                #expect(list.array.count == 3000, "after a kill at \(delay) µs")
            } else {
                #expect(list.stderr.contains("kho rebuild-catalog"), "after a kill at \(delay) µs: \(list.stderr)")
                #expect(ws.run(["rebuild-catalog"]).status == 0)
            }
        }
        #expect(ws.run(["list", "--json"]).array.count == 3000)
    }
}
