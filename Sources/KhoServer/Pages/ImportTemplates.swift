// The pages of a web import: the start (uploads of the manifest and its files), and a job's
// page (progress while it runs; then the counts and every row's result, problems first).
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform
import KhoStore

extension Templates {
    static let importStart = """
        <h1>Nhập từ bảng kê</h1>
        <p>Tải lên bảng kê (tệp CSV, mỗi dòng một sản phẩm) cùng các tệp nó nhắc tới, hoặc kéo thả cả thư mục chứa chúng, hoặc một tệp .zip chứa cả bảng kê và các tệp. Kho kiểm tra từng dòng trước, chưa lưu gì; bạn xem các lỗi rồi mới nhập thật.</p>
        <p class="small">Các cột: title, kind, languages, unit, produced, published, channels, access, carrier, files (đường dẫn tệp tính từ thư mục của bảng kê, cách nhau bằng dấu |), source_id… như lệnh <code>kho import</code>.</p>
        {{#problems}}<p class="problem" role="alert">{{.}}</p>{{/problems}}
        <form method="post" action="/import" class="stack wide">
        <input type="hidden" name="csrf" value="{{user.csrf}}">
        {{> uploader}}
        <button type="submit">Kiểm tra bảng kê</button>
        </form>
        {{#hasRecent}}<h2>Các lần nhập gần đây</h2>
        <ul class="cards">{{#recent}}<li><a href="{{link}}">{{kindName}}: {{manifest}}</a><span class="small">{{when}} · {{state}}{{#counts}} · {{counts}}{{/counts}}</span></li>{{/recent}}</ul>{{/hasRecent}}
        <script src="/static/kho-upload.js" defer></script>
        """

    static let importJob = """
        <h1>{{kindName}}: {{manifest}}</h1>
        <p>{{files}} tệp{{#skipped}} (bỏ qua {{skipped}} tệp ẩn của hệ thống){{/skipped}} · bắt đầu {{when}} · <span role="status">{{state}}</span></p>
        {{#running}}<progress max="{{total}}" value="{{progress}}" aria-label="Tiến độ">{{progressText}}</progress><p class="small">{{progressText}} — trang tự tải lại; có thể đóng trang, việc vẫn chạy.</p>{{/running}}
        {{#failed}}<p class="problem" role="alert">{{message}}</p>{{/failed}}
        {{#counts}}<p class="saved">{{counts}}</p>{{/counts}}
        {{#canRun}}<form method="post" action="/import/{{id}}/run" class="stack">
        <input type="hidden" name="csrf" value="{{user.csrf}}">
        <p>Các dòng hợp lệ sẽ được lưu; các dòng lỗi bị bỏ qua (sửa bảng kê rồi nhập lại: những dòng đã lưu được nhận ra, không lưu hai lần).</p>
        <button type="submit">Nhập thật {{ok}} dòng hợp lệ</button></form>{{/canRun}}
        {{#runLink}}<p><a href="{{runLink}}">Xem lần nhập thật</a></p>{{/runLink}}
        {{#hasRows}}<h2>Từng dòng</h2>
        <div class="scroll"><table class="text"><thead><tr><th scope="col">Dòng</th><th scope="col">Kết quả</th><th scope="col">Chi tiết</th></tr></thead>
        <tbody>{{#rows}}<tr{{#bad}} class="bad"{{/bad}}><th scope="row">{{row}}</th><td>{{status}}</td><td>{{#productLink}}<a href="{{productLink}}">{{productID}}</a> · {{/productLink}}{{message}}</td></tr>{{/rows}}</tbody></table></div>
        {{#moreRows}}<p class="small">Chỉ hiện {{shown}} dòng đầu (lỗi trước); tải tệp kết quả để có đủ.</p>{{/moreRows}}
        <p><a href="/import/{{id}}/result.csv">Tải tệp kết quả (CSV)</a></p>{{/hasRows}}
        {{#hasWarnings}}<h2>Lưu ý</h2><ul>{{#warnings}}<li>{{.}}</li>{{/warnings}}</ul>
        {{#moreWarnings}}<p class="small">Còn {{moreWarnings}} lưu ý nữa không hiện ở đây; lưu ý của mỗi dòng có trong tệp kết quả.</p>{{/moreWarnings}}{{/hasWarnings}}
        <p><a href="/import">Nhập bảng kê khác</a></p>
        """
}

/// What the import pages show of jobs and their results.
enum ImportView {
    static let shownRows = 500

    static func summary(_ r: JobRecord) -> [String: Any] {
        let itemsText = r.itemsTotal > 0 ? "\(VietnameseFormat.integer(Int64(r.itemsDone))) / \(VietnameseFormat.integer(Int64(r.itemsTotal))) " + Lang.pick("dòng", "rows") : Lang.text("đang đọc bảng kê…")
        var out: [String: Any] = [
            "id": r.id, "link": "/import/\(r.id)", "kindName": Lang.text(r.kind == .importCheck ? "Kiểm tra" : "Nhập thật"),
            "manifest": ([r.parameters["zip"]] + [r.result["manifest"] ?? r.parameters["manifest"]]).compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " → "),
            "files": VietnameseFormat.integer(Int64(r.result["files"] ?? r.parameters["files"] ?? "") ?? 0),
            "when": VietnameseFormat.instant(Timestamp(epochSeconds: r.createdAt)), "state": ExportView.stateName(r.state),
            "running": !r.state.isOver, "failed": r.state == .failed || r.state == .interrupted, "message": r.message ?? "",
            "progress": String(r.itemsDone), "total": String(max(r.itemsTotal, 1)), "progressText": itemsText,
            "ok": VietnameseFormat.integer(Int64(r.result["ok"] ?? "") ?? 0),
        ]
        if let skipped = r.result["skipped"] ?? r.parameters["skipped"], skipped != "0" { out["skipped"] = skipped }
        if r.state == .done {
            func n(_ key: String) -> String { VietnameseFormat.integer(Int64(r.result[key] ?? "") ?? 0) }
            out["counts"] = r.kind == .importCheck
                ? Lang.pick("\(n("rows")) dòng: \(n("ok")) hợp lệ, \(n("alreadyPresent")) đã có trong kho, \(n("rejected")) lỗi.",
                            "\(n("rows")) rows: \(n("ok")) valid, \(n("alreadyPresent")) already in the archive, \(n("rejected")) with problems.")
                : Lang.pick("\(n("rows")) dòng: \(n("stored")) đã lưu, \(n("updated")) đã cập nhật, \(n("alreadyPresent")) đã có từ trước, \(n("rejected")) lỗi không lưu.",
                            "\(n("rows")) rows: \(n("stored")) stored, \(n("updated")) updated, \(n("alreadyPresent")) already there, \(n("rejected")) with problems, not stored.")
        }
        return out
    }

    /// Saves what an import's page shows (the counts, the first `shownRows` rows with problems
    /// first, the first `shownRows` warnings and how many more there were), with the archive's
    /// folders taken out of every text: the clerk sees paths as in their manifest, never the
    /// server's folders. The full rows, and each row's warnings, are in the CSV.
    static func save(_ document: ImportDocument, to path: HostPath, root: HostPath) throws(KhoError) {
        func clean(_ text: String) -> String { JobArea.hidingFolders(text, root: root) }
        var d = document
        d.manifest = clean(d.manifest)
        d.report = nil
        let ordered = d.results.filter { $0.status == "rejected" } + d.results.filter { $0.status != "rejected" }
        d.results = ordered.prefix(shownRows + 1).map { var row = $0; row.message = clean(row.message); return row }
        d.problems = []
        let hidden = (d.warningsOmitted ?? 0) + max(0, d.warnings.count - shownRows)
        d.warnings = d.warnings.prefix(shownRows).map(clean)
        d.warningsOmitted = hidden > 0 ? hidden : nil
        let data: Data
        do { data = try JSONEncoder().encode(d) } catch { throw KhoError(.internal, "an import's answer does not encode: \(error)") }
        try FS.writeDurably(Array(data), to: path, temp: HostPath(bytes: path.bytes + Array(".new".utf8)), mode: 0o600)
    }

    static func load(_ path: HostPath) -> ImportDocument? {
        FileManager.default.contents(atPath: path.description).flatMap { try? JSONDecoder().decode(ImportDocument.self, from: $0) }
    }

    static func statusName(_ status: String) -> String {
        Lang.text(vietnameseStatus(status))
    }

    static func vietnameseStatus(_ status: String) -> String {
        switch status {
        case "ok": "hợp lệ"
        case "stored": "đã lưu"
        case "updated": "đã cập nhật"
        case "already_present": "đã có trong kho"
        case "rejected": "lỗi"
        default: status
        }
    }

    /// Every row's result, problems first, at most `shownRows`; the warnings saved, and how
    /// many more there were (the page says so, and where they are).
    static func rows(_ d: ImportDocument, check: Bool) -> [String: Any] {
        let rows: [[String: Any]] = d.results.prefix(shownRows).map { r in
            // Every row says whether it links: Mustache would otherwise find the job's own link.
            var out: [String: Any] = ["row": r.row, "status": statusName(r.status), "message": vietnamese(r.message), "bad": r.status == "rejected", "productLink": false]
            if let id = r.productID, !check || r.status == "already_present" {
                out["productLink"] = "/products/\(id)"
                out["productID"] = id
            }
            return out
        }
        return ["rows": rows, "hasRows": !rows.isEmpty, "moreRows": d.rows > shownRows, "shown": shownRows,
                "warnings": d.warnings, "hasWarnings": !d.warnings.isEmpty,
                "moreWarnings": (d.warningsOmitted ?? 0) > 0 ? VietnameseFormat.integer(Int64(d.warningsOmitted ?? 0)) : false]
    }

    /// The store's messages for rows that went well, as a clerk reads them; a problem stays as
    /// `kho import` words it (the result CSV keeps every message as written).
    static func vietnamese(_ message: String) -> String {
        guard Lang.current == .vi else { return message }  // English pages show the store's own words
        func carrier(_ raw: Substring) -> String { Carrier(rawValue: String(raw)).map { Lang.text($0.vietnamese) } ?? String(raw) }
        if let m = message.wholeMatch(of: /(\d+) file\(s\)/) { return "\(m.1) tệp" }
        if let m = message.wholeMatch(of: /(\d+) file\(s\) attached/) { return "đã thêm \(m.1) tệp" }
        if let m = message.wholeMatch(of: /would store a born-digital product with (\d+) file\(s\)/) { return "sẽ lưu một sản phẩm số với \(m.1) tệp" }
        if let m = message.wholeMatch(of: /would register a product on (\S+), not yet digitized/) { return "sẽ đăng ký một sản phẩm trên \(carrier(m.1)), chưa số hóa" }
        if let m = message.wholeMatch(of: /would store a product digitized from (\S+) with (\d+) file\(s\)/) {
            return "sẽ lưu một sản phẩm số hóa từ \(carrier(m.1)) với \(m.2) tệp"
        }
        if let m = message.wholeMatch(of: /would attach (\d+) file\(s\) to (\S+)/) { return "sẽ thêm \(m.1) tệp vào sản phẩm \(m.2)" }
        switch message {
        case "registered, not yet digitized": return "đã đăng ký, chưa số hóa"
        case "already registered": return "đã đăng ký từ trước"
        case "already in the archive (same source_id)": return "đã có trong kho (cùng source_id)"
        case "already in the archive (same title and files)": return "đã có trong kho (cùng tên và tệp)"
        case "the product already holds these files": return "sản phẩm đã có các tệp này"
        default: return message
        }
    }
}
