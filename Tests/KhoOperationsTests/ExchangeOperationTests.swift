// Import, export and bundles through the operations, without the command line.
import Crypto
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform
import KhoTesting
import Testing

@Suite struct ExchangeOperationTests {
    @Test func importDryRunThenReal() throws {
        let office = try Office()
        office.scratch.file("m/a.txt", "bài A")
        office.scratch.file("m/manifest.csv", "title,kind,languages,unit,files\nBài A,article,vi,00004,a.txt\nBài B,poem,vi,00004,\nTờ gấp,leaflet,vi,00004,\n")
        let manifest = HostPath("\(office.scratch.path)/m/manifest.csv")
        let dry = try ImportManifest(manifest: manifest, dryRun: true, jobs: 1).run(in: office.session)
        #expect(dry.dryRun && dry.ok == 2 && dry.rejected == 1 && dry.report == nil)
        #expect(dry.problems.map(\.column) == ["kind"] && dry.problems[0].row == 3)
        #expect(try ListProducts(filter: ProductFilter()).run(in: office.session).total == 0)

        let real = try ImportManifest(manifest: manifest, jobs: 1).run(in: office.session)
        #expect(real.stored == 2 && real.newProducts == 1 && real.registered == 1 && real.rejected == 1)
        #expect(real.report == "\(office.scratch.path)/m/manifest.csv.result.csv")
        let resultCSV = try String(contentsOfFile: real.report!, encoding: .utf8)
        #expect(resultCSV.hasPrefix("row,status,product_id,source_id,message") && resultCSV.contains("rejected"))
        let again = try ImportManifest(manifest: manifest, jobs: 1).run(in: office.session)
        #expect(again.stored == 0 && again.alreadyPresent == 2)
    }

    @Test func exportThenBundleImportIntoAnotherArchive() throws {
        let commune = try Office(seed: 1)
        let a = try commune.ingest("Bài A", "nội dung A")
        _ = try commune.ingest("Bài mật", "bí mật", access: "restricted")
        let bag = "\(commune.scratch.path)/out.tar"
        let summary = try Export(format: .tar, output: OutputFile(path: HostPath(bag))).run(in: commune.session)
        #expect(summary.products == 1 && summary.productIDs.map(\.description) == [a.product.id] && summary.restrictedLeftOut == 1)
        #expect(try ListExports().run(in: commune.session).map(\.exportID) == [summary.exportID])
        // The same scope from an unchanged archive: the same bytes.
        let twice = try Export(format: .tar, output: OutputFile(path: HostPath("\(commune.scratch.path)/again.tar"))).run(in: commune.session)
        #expect(twice.bundleSHA256 == summary.bundleSHA256)
        #expect(khoError { try Export(format: .tar, output: OutputFile(path: HostPath(bag))).run(in: commune.session) }?.code == .fileExists)

        let verified = try BundleVerify(file: bag).run()
        #expect(verified.valid && verified.payloadFiles == 3 && verified.errors.isEmpty)
        #expect(khoError { try BundleVerify(file: bag, maxExpansion: 0.5).run() }?.code == .invalidChoice)

        let province = try Office(seed: 2)
        let imported = try BundleImport(file: bag).run(in: province.session)
        #expect(imported.stored.map(\.description) == [a.product.id] && imported.updated.isEmpty)
        let copy = try Show(id: try ProductID.parse(a.product.id).get()).run(in: province.session)
        #expect(copy.title == "Bài A" && copy.files[0].sha256 == a.product.files[0].sha256)
        #expect((copy.events ?? []).contains { $0.type == "bundle_import" && $0.agent == Office.clerk.agent })
        #expect(try BundleImport(file: bag).run(in: province.session).unchanged.map(\.description) == [a.product.id])
        // The province's copy of the bytes lost: the same bundle again brings them back (the
        // product unchanged, a repair event on it), named beside the transaction as foreseen.
        let sha = a.product.files[0].sha256
        let blob = "\(province.archivePath)/blobs/sha256/\(sha.prefix(2))/\(sha)"
        #expect(unlink(blob) == 0)
        #expect(try BundleImport(file: bag).run(in: province.session).unchanged.map(\.description) == [a.product.id])
        #expect(FileManager.default.fileExists(atPath: blob))
        let events = try Show(id: try ProductID.parse(a.product.id).get()).run(in: province.session).events ?? []
        #expect(events.contains { $0.type == "repair" && ($0.detail ?? "").contains("were missing") }, "\(events.map(\.type))")
    }

    /// A bundle is stored a group of products at a time (memory does not grow with the
    /// bundle), yet one with an unreadable record stores nothing, whichever group it is in
    /// and whether or not the next batch of records is being decoded ahead meanwhile.
    @Test(arguments: [2, 5]) func aBundleIsStoredInGroupsYetABadRecordStoresNothing(bad: Int) throws {
        let commune = try Office(seed: 1)
        var ids: [String] = []
        for n in 1...5 { ids.append(try commune.ingest("Bài \(n)", "nội dung \(n)").product.id) }
        let bag = "\(commune.scratch.path)/out.tar"
        _ = try Export(format: .tar, output: OutputFile(path: HostPath(bag))).run(in: commune.session)
        // The last record of the bag made unreadable (a kind no archive knows), every digest made to match.
        let forged = PythonBags.make("forged.tar", in: commune.scratch, """
            seen = [0]
            def edit(obj):
                seen[0] += 1
                if seen[0] == \(bad): obj['product']['kind'] = 'nonsense'
            rebag('\(bag)', out, edit)
            """)
        let province = try Office(seed: 2)
        let error = try #require(khoError { try BundleImport(file: forged, group: 2, decodeBatch: 2).run(in: province.session) })
        #expect(error.code == .notAKhoBundle && error.message.contains("nothing was stored"), "\(error.message)")
        #expect(try ListProducts(filter: ProductFilter()).run(in: province.session).total == 0)
        #expect(filesUnder("\(province.archivePath)/blobs").isEmpty)
        let imported = try BundleImport(file: bag, group: 2, decodeBatch: 2).run(in: province.session)
        #expect(Set(imported.stored.map(\.description)) == Set(ids) && imported.stored.count == 5)
        for id in ids { #expect(try Show(id: try ProductID.parse(id).get()).run(in: province.session).files.count == 1) }
        #expect(try BundleImport(file: bag, group: 2).run(in: province.session).unchanged.count == 5)
    }

    /// Each group is staged (its bytes taken into the store) while the group before commits:
    /// products of different groups holding the same bytes are all stored, each with its file,
    /// one copy of the bytes in the store, and the archive checks out whole.
    @Test func groupsStagedWhileTheOneBeforeCommitsShareBytes() throws {
        let commune = try Office(seed: 1)
        var ids: [String: String] = [:]
        for (title, text) in [("Bài 1", "chung một"), ("Bài 2", "chung một"), ("Bài 3", "chung hai"), ("Bài 4", "chung hai"), ("Bài 5", "riêng")] {
            ids[try commune.ingest(title, text).product.id] = text
        }
        let bag = "\(commune.scratch.path)/out.tar"
        _ = try Export(format: .tar, output: OutputFile(path: HostPath(bag))).run(in: commune.session)
        let province = try Office(seed: 2)
        let imported = try BundleImport(file: bag, group: 1, decodeBatch: 2).run(in: province.session)
        #expect(Set(imported.stored.map(\.description)) == Set(ids.keys) && imported.refused.isEmpty, "\(imported)")
        for (id, text) in ids {
            let shown = try Show(id: try ProductID.parse(id).get()).run(in: province.session)
            #expect(shown.files.count == 1 && shown.files.first?.sha256 == SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined(), "\(id)")
        }
        #expect(filesUnder("\(province.archivePath)/blobs").count == 3)
        #expect(try Verify(jobs: 1).run(in: province.session).intact)
        #expect(try BundleImport(file: bag, group: 1).run(in: province.session).unchanged.count == 5)
    }

    @Test func aDamagedBundleStoresNothing() throws {
        let commune = try Office(seed: 1)
        _ = try commune.ingest("Bài A", "nội dung A")
        let bag = "\(commune.scratch.path)/out.tar"
        _ = try Export(format: .tar, output: OutputFile(path: HostPath(bag))).run(in: commune.session)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: bag))
        let at = try #require(bytes.range(of: Data("nội dung A".utf8)))
        bytes[at.lowerBound] = UInt8(ascii: "N")
        try bytes.write(to: URL(fileURLWithPath: bag))
        let province = try Office(seed: 2)
        let error = try #require(khoError { try BundleImport(file: bag).run(in: province.session) })
        #expect(error.code == .invalidBundle && error.category == .damage && error.message.contains("nothing was stored"))
        #expect(try ListProducts(filter: ProductFilter()).run(in: province.session).total == 0)
        #expect(filesUnder("\(province.archivePath)/blobs").isEmpty && filesUnder("\(province.archivePath)/tmp").isEmpty)
    }
}

@Suite struct ReportOperationTests {
    @Test func theDefaultPeriodIsTheYearOfTheClock() throws {
        let office = try Office(clock: steppingClock(from: "2024-12-20T03:00:00.000Z"))
        _ = try office.ingest("Bài A", "A", channels: ["facebook"])
        let report = try MakeReport(format: .json).run(in: office.session)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.text!.utf8)) as? [String: Any])
        let period = ((json["scope"] as? [String: Any])?["period"] as? [String: Any]) ?? [:]
        #expect(period["label"] as? String == "2024" && period["from"] as? String == "2024-01-01", "\(period)")
        #expect(report.products == 1 && report.notDigitized == 0)
        let later = try Office(clock: steppingClock(from: "2025-03-01T03:00:00.000Z"))
        _ = try later.ingest("Bài A", "A")
        #expect(try MakeReport().run(in: later.session).products == 0)   // published 2024-12-10: not in 2025
    }

    @Test func formatsOutputsAndLimits() throws {
        let office = try Office()
        _ = try office.ingest("Bài A", "A")
        _ = try Register(metadata: Office.metadata("Tờ gấp", kind: "leaflet")).run(in: office.session)
        let year = try Period.parse("2024", campaigns: []).get()
        for format in ReportFormat.allCases {
            let r = try MakeReport(period: year, format: format).run(in: office.session)
            #expect(r.text?.isEmpty == false && r.products == 2 && r.notDigitized == 1, "\(format)")
        }
        let page = "\(office.scratch.path)/r.html"
        let written = try MakeReport(period: year, format: .html, output: OutputFile(path: HostPath(page))).run(in: office.session)
        #expect(written.text == nil && written.output == page && FileManager.default.fileExists(atPath: page))
        #expect(khoError { try MakeReport(period: year, trend: 30).run(in: office.session) }?.code == .invalidChoice)
        #expect(khoError { try MakeReport(unitEra: .before2025, period: year).run(in: office.session) }?.code == .usage)
        let sql = try ReportStatements(MakeReport(unitCode: "00004", period: year)).run(in: office.session)
        #expect(sql.count >= 3 && sql.allSatisfy { $0.hasSuffix(";") && !$0.contains("?") })
    }

    @Test func targetsSavedAsTheConfigAreReadBack() throws {
        let office = try Office()
        var targets = try ShowTargets().run(in: office.session)
        #expect(targets.config.targets.digitized.min == 1 && targets.config.targets.digitalPlatform.channels?.contains("facebook") == true)
        #expect(targets.allCampaigns.contains { $0.key == "human-rights-day-2024" } && targets.config.campaigns.isEmpty)
        targets.config.targets.diversified = .init(min: 0.3, max: 0.4)
        let encoder = JSONEncoder()
        try encoder.encode(targets.config).write(to: URL(fileURLWithPath: "\(office.archivePath)/kho-config.json"))
        let reopened = try ArchiveLocation(path: HostPath(office.archivePath), isDefault: false)
            .open(for: Office.clerk, environment: ArchiveEnvironment(clock: steppingClock(), ids: .seeded(9))).session
        let read = try ShowTargets().run(in: reopened)
        #expect(read.config.targets.diversified.min == 0.3 && read.source.contains("kho-config.json"))
    }

    @Test func unitsAndLanguages() throws {
        let shown = try ShowUnit(code: try UnitCode.parse("62").get()).run()
        #expect(shown.first?.successors.map(\.code) == ["51"] && shown.first?.validUntil == "2025-06-30")
        #expect(khoError { try ShowUnit(code: try UnitCode.parse("99").get()).run() }?.code == .unknownUnit)
        #expect(try SearchUnits(text: "truc bach").run().contains { $0.code == "00004" })
        let office = try Office()
        let known = try ListLanguages().run(in: office.session)
        #expect(known.entries.contains { $0.tag == "tyz" && $0.group == "minority" } && !known.minorityListFromConfig)
        #expect(try ListLanguages(search: "thai").run(in: office.session).entries.contains { $0.tag == "blt" })
    }
}

@Suite struct BundleTrustTests {
    /// A source the province declares authoritative for a unit may change that unit's products;
    /// any other archive may not, and nothing of the refused product is stored.
    @Test func aDeclaredSourceMayUpdateAnUndeclaredOneMayNot() throws {
        let commune = try Office(seed: 1)
        let made = try commune.ingest("Bài A", "nội dung A")
        let id = try ProductID.parse(made.product.id).get()
        let original = "\(commune.scratch.path)/c.tar"
        _ = try Export(format: .tar, output: OutputFile(path: HostPath(original))).run(in: commune.session)
        let district = try Office(seed: 3)
        _ = try BundleImport(file: original).run(in: district.session)
        _ = try Edit(id: id, changes: ProductInput(campaign: "Chiến dịch huyện")).run(in: district.session)
        let changed = "\(district.scratch.path)/d.tar"
        _ = try Export(format: .tar, output: OutputFile(path: HostPath(changed))).run(in: district.session)

        let province = try Office(seed: 2)
        #expect(try BundleImport(file: original).run(in: province.session).stored.map(\.description) == [made.product.id])
        let refused = try BundleImport(file: changed).run(in: province.session)
        #expect(refused.refused.map(\.id) == [made.product.id] && refused.refused[0].reason.contains(commune.session.archive.info.archiveID))
        #expect(try Show(id: id).run(in: province.session).campaign == nil)

        let districtID = district.session.archive.info.archiveID
        try Data("{\"trustedSources\": {\"\(districtID)\": [\"01\"]}}".utf8).write(to: URL(fileURLWithPath: "\(province.archivePath)/kho-config.json"))
        let trusting = try ArchiveLocation(path: HostPath(province.archivePath), isDefault: false)
            .open(for: Office.clerk, environment: ArchiveEnvironment(clock: steppingClock(), ids: .seeded(4))).session
        #expect(try BundleImport(file: changed).run(in: trusting).updated.map(\.description) == [made.product.id])   // 00004 is in Hà Nội (01) today
        let now = try Show(id: id).run(in: trusting)
        #expect(now.campaign == "Chiến dịch huyện")
        #expect((now.events ?? []).contains { $0.importedFrom == districtID && $0.type == "metadata_modification" })
    }
}
