// An import's page says how many of its warnings it leaves out, and where they all are: the
// report keeps the first 1,000 warnings and counts the rest; the page shows the first 500 and
// the number of the others, whose every one is in the result file after its row's message.
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform
@testable import KhoServer
import KhoTesting
import Testing

@Suite struct ImportPageTests {
    /// A saved import with `warnings` kept and `omitted` more counted, as its page renders it.
    static func page(warnings: Int, omitted: Int?) throws -> (saved: ImportDocument, body: String, root: String) {
        let scratch = Scratch()
        var json: [String: Any] = ["manifest": "\(scratch.path)/bang-ke.csv", "format": "CSV", "dryRun": false, "rows": 1, "stored": 1, "updated": 0,
                                   "alreadyPresent": 0, "rejected": 0, "ok": 0, "newProducts": 0, "registered": 1, "filesAttached": 0,
                                   "bytesStored": 0, "seconds": 0.5, "results": [["row": 2, "status": "stored", "message": "registered, not yet digitized"]],
                                   "problems": [], "warnings": (0..<warnings).map { "row \($0 + 2): produced: in \(scratch.path) 2028" }]
        if let omitted { json["warningsOmitted"] = omitted }
        let document = try JSONDecoder().decode(ImportDocument.self, from: JSONSerialization.data(withJSONObject: json))
        let path = HostPath(scratch.path + "/run.json")
        try ImportView.save(document, to: path, root: HostPath(scratch.path))
        let saved = try #require(ImportView.load(path))
        var fields = ImportView.rows(saved, check: false)
        fields.merge(["kindName": "Nhập thật", "manifest": saved.manifest, "id": "j1"]) { _, new in new }
        let body = try #require(try Pages().library.render(fields, withTemplate: "importJob"))
        return (saved, body, scratch.path)
    }

    @Test(arguments: [(1_000, 200, 700), (501, nil, 1), (1_000, nil, 500)])
    func thePageSaysHowManyWarningsItLeavesOut(kept: Int, omitted: Int?, more: Int) throws {
        let (saved, body, root) = try Self.page(warnings: kept, omitted: omitted)
        #expect(saved.warnings.count == ImportView.shownRows)
        #expect(saved.warningsOmitted == more)
        #expect(body.components(separatedBy: "<li>row ").count - 1 == ImportView.shownRows)
        #expect(body.contains("Còn \(VietnameseFormat.integer(Int64(more))) lưu ý nữa không hiện ở đây; lưu ý của mỗi dòng có trong tệp kết quả."), "\(body.suffix(400))")
        #expect(!body.contains(root), "no server folder on the page")
    }

    @Test func aPageWithAllItsWarningsSaysNothingMore() throws {
        let (saved, body, _) = try Self.page(warnings: 3, omitted: nil)
        #expect(saved.warnings.count == 3 && saved.warningsOmitted == nil)
        #expect(body.contains("<h2>Lưu ý</h2>") && !body.contains("lưu ý nữa không hiện"))
    }
}
