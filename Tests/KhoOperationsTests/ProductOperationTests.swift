// The product operations run without the command line: what each returns and what it records.
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform
import KhoTesting
import Testing

@Suite struct ProductOperationTests {
    @Test func theSameSeedAndClockGiveTheSameArchive() throws {
        func run() throws -> (archive: String, ids: [String], events: [String]) {
            let office = try Office(seed: 42)
            let a = try office.ingest("Bài A", "nội dung A")
            let b = try Register(metadata: Office.metadata("Tờ gấp", kind: "leaflet")).run(in: office.session)
            let shown = try Show(id: try ProductID.parse(a.product.id).get()).run(in: office.session)
            return (office.session.archive.info.archiveID, [a.product.id, b.product.id], (shown.events ?? []).map { "\($0.at) \($0.type)" })
        }
        let first = try run(), second = try run()
        #expect(first.archive == second.archive && first.archive.hasPrefix("seeded-"))
        #expect(first.ids == second.ids)
        #expect(first.events == second.events && !first.events.isEmpty)
    }

    @Test func everyEventNamesTheActor() throws {
        let office = try Office()
        let put = try office.ingest("Bài A", "nội dung")
        let id = try ProductID.parse(put.product.id).get()
        let other = Session(archive: office.session.archive, actor: Actor(agent: "auditor@tinh"))
        _ = try Edit(id: id, changes: ProductInput(campaign: "Ngày Nhân quyền")).run(in: other)
        let events = try Show(id: id).run(in: office.session).events ?? []
        #expect(events.map(\.agent) == ["clerk@xa-ba-dinh", "clerk@xa-ba-dinh", "auditor@tinh"])
        #expect(events.map(\.type) == ["ingestion", "ingestion", "metadata_modification"])
    }

    @Test func ingestRegisterAttachAndEdit() throws {
        let office = try Office()
        let ingested = try office.ingest("Bài A", "nội dung A")
        #expect(ingested.stored && ingested.bytesStored == Int64("nội dung A".utf8.count) && ingested.product.digitized)
        let again = try office.ingest("Bài A", "nội dung A")
        #expect(again.status == "already_present" && again.product.id == ingested.product.id && again.bytesStored == 0)

        let registered = try Register(metadata: Office.metadata("Băng phát thanh", kind: "radio_report")).run(in: office.session)
        #expect(registered.product.carrier == "audio_tape" && !registered.product.digitized)   // the carrier typical of the kind
        let id = try ProductID.parse(registered.product.id).get()
        let day = try CalendarDate.parse("2025-01-15").get()
        let attached = try Attach(id: id, files: [office.file("bang.wav", "RIFF….WAVE")], digitizedOn: day, jobs: 1).run(in: office.session)
        #expect(attached.product.digitized && attached.product.digitizedOn == "2025-01-15" && attached.product.digitizationMethod == "transfer")

        let edited = try Edit(id: id, changes: ProductInput(title: "Băng phát thanh (bản số)", channels: ["radio", "facebook"]),
                              clear: [.published]).run(in: office.session)
        #expect(edited.product.title == "Băng phát thanh (bản số)" && edited.product.published == nil)
        #expect(edited.product.channels == ["radio", "facebook"] && edited.product.digitalPlatform)
        #expect(edited.product.kind == "radio_report")   // fields not given stay
        let unchanged = try Edit(id: id, changes: ProductInput()).run(in: office.session)
        #expect(unchanged.status == "already_present")
    }

    @Test func invalidMetadataIsOneErrorListingEveryProblem() throws {
        let office = try Office()
        let bad = ProductInput(title: "T", kind: "poem", languages: ["vi_VN"], unit: "4")
        let error = try #require(khoError { try Ingest(metadata: bad, files: [office.file("a.txt", "a")]).run(in: office.session) })
        #expect(error.code == .unknownKind && error.category == .input && error.code.httpStatus == 422)
        #expect(error.problems.map(\.field) == ["kind", "language", "unit"])
        #expect(error.message.split(separator: "\n").count == 3)
        #expect(error.subject == Subject(field: "kind", value: "poem"))
        #expect(try ListProducts(filter: ProductFilter()).run(in: office.session).total == 0)
    }

    @Test func showListSearchAndFixity() throws {
        let office = try Office()
        let a = try office.ingest("Quyền con người", "A", channels: ["facebook"])
        _ = try office.ingest("Hoà giải ở cơ sở", "B")
        let id = try ProductID.parse(a.product.id).get()
        #expect(try Show(id: id, withFixity: true).run(in: office.session).files[0].lastCheck == nil)
        let verified = try Verify(jobs: 1).run(in: office.session)
        #expect(verified.intact && verified.checkedBlobs == 2)
        let shown = try Show(id: id, withFixity: true).run(in: office.session)
        #expect(shown.files[0].lastCheck?.outcome == "ok")
        #expect(try Show(id: id).run(in: office.session).files[0].lastCheck == nil)

        let all = try ListProducts(filter: ProductFilter(limit: 1)).run(in: office.session)
        #expect(all.total == 2 && all.products.count == 1)
        let digital = try ListProducts(filter: ProductFilter(channel: .facebook)).run(in: office.session)
        #expect(digital.products.map(\.id) == [a.product.id])
        #expect(try Search(query: "quyen con nguoi").run(in: office.session).products.map(\.id) == [a.product.id])
        #expect(try Search(query: "hoa").run(in: office.session).total == 1)
        let range = ProductFilter(from: try CalendarDate.parse("2025-01-01").get(), to: try CalendarDate.parse("2024-01-01").get())
        #expect(khoError { try ListProducts(filter: range).run(in: office.session) }?.code == .invalidRange)
        #expect(khoError { try Show(id: try ProductID.parse("0000-0000-0000-0000").get()).run(in: office.session) }?.code.httpStatus == 404)
    }

    @Test func getWritesAFileOrIntoAFolderAndRefusesToReplace() throws {
        let office = try Office()
        let put = try Ingest(metadata: Office.metadata("Ảnh"), files: [office.file("ảnh gốc.png", bytes: [0x89, 0x50, 0x4E, 0x47, 1, 2])]).run(in: office.session)
        let id = try ProductID.parse(put.product.id).get()
        let folder = "\(office.scratch.path)/out"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let got = try GetFile(id: id, destination: .path(HostPath(folder), replace: false)).run(in: office.session)
        #expect(got.output == "\(folder)/ảnh gốc.png" && got.file.mediaType == "image/png")
        #expect(FileManager.default.contents(atPath: got.output) == Data([0x89, 0x50, 0x4E, 0x47, 1, 2]))
        let again = khoError { try GetFile(id: id, destination: .path(HostPath(got.output), replace: false)).run(in: office.session) }
        #expect(again?.code == .fileExists && again?.code.httpStatus == 409)
        #expect(khoError { try GetFile(id: id, destination: .standardOutput(refuseBinary: true)).run(in: office.session) }?.code == .outputIsTerminal)
        #expect(khoError { try GetFile(id: id, n: 9, destination: .path(HostPath("\(folder)/x"), replace: false)).run(in: office.session) }?.code == .unknownFile)
    }

    @Test func damageIsFoundAndDuplicatesAreGrouped() throws {
        let office = try Office()
        let a = try office.ingest("Bài A", "cùng nội dung")
        _ = try Ingest(metadata: Office.metadata("Bài B"), files: [office.file("b.txt", "cùng nội dung")]).run(in: office.session)
        let groups = try Duplicates().run(in: office.session)
        #expect(groups.count == 1 && Set(groups[0].products.map(\.title)) == ["Bài A", "Bài B"])
        let sha = a.product.files[0].sha256
        let blob = "\(office.archivePath)/blobs/sha256/\(sha.prefix(2))/\(sha)"
        chmod(blob, 0o644)
        try Data("hỏng".utf8).write(to: URL(fileURLWithPath: blob))
        let report = try Verify(jobs: 1).run(in: office.session)
        #expect(!report.intact && report.findings.map(\.kind) == ["damaged"] && report.findings[0].products.count == 2)
    }
}
