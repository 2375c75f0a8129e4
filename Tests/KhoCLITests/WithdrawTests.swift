// `kho withdraw`: a product leaves exports (and lists and harvesting) but stays in the archive
// with its history; a reason is required, and a second withdrawal changes nothing.
import Foundation
import KhoTesting
import Testing

@Suite struct WithdrawTests {
    @Test func aWithdrawnProductStaysButLeavesExports() throws {
        let ws = Workspace()
        let kept = ws.ingest(ws.file("a.txt", "Bài A"), title: "Bài A")
        let gone = ws.ingest(ws.file("b.txt", "Bài B"), title: "Bài B")
        #expect(ws.run(["withdraw", gone]).status == 2, "--reason is required")
        let blank = ws.run(["withdraw", gone, "--reason", "   "])
        #expect(blank.status == 1 && blank.stderr.contains("needs a reason"), "\(blank.stderr)")
        let unknown = ws.run(["withdraw", "7K3Q-X9M2-PD4R-8WTR", "--reason", "x"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no product"))
        let done = ws.run(["withdraw", gone, "--reason", "Trùng với bài đã đăng", "--json"])
        #expect(done.status == 0, "\(done.stderr)")
        let again = ws.run(["withdraw", gone, "--reason", "lần nữa"])
        #expect(again.status == 1 && again.stderr.contains("already withdrawn"), "\(again.stderr)")
        // Still in the archive, with the withdrawal in its history (once).
        let shown = ws.run(["show", gone, "--json"]).object
        let events = (shown["events"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "withdrawal" }
        #expect(events.count == 1 && events.first?["detail"] as? String == "Trùng với bài đã đăng")
        #expect(ws.run(["get", gone, "-o", "\(ws.path)/b.out"]).status == 0)
        // Left out of exports.
        let export = ws.run(["export", "-o", "\(ws.path)/all.tar", "--json"])
        #expect(export.status == 0 && export.object["productIDs"] as? [String] == [kept], "\(export.out)")
    }
}
