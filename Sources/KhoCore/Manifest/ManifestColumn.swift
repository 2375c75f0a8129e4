// The columns of an import manifest, and the headers (English or Vietnamese, any case,
// with or without diacritics) that name them.

public enum ManifestColumn: String, CaseIterable, Sendable, Hashable, Codable {
    case sourceID = "source_id"
    case productID = "product_id"
    case title, kind, languages, unit, produced, published, channels, topics, campaign, description, creator
    case access, files, carrier, digitized, method

    /// Header spellings, folded (no diacritics, lower case, letters and digits only).
    static let aliases: [String: ManifestColumn] = {
        let table: [ManifestColumn: [String]] = [
            .sourceID: ["source_id", "source id", "sourceid", "mã nguồn", "số hiệu", "id nguồn", "mã hồ sơ", "ký hiệu"],
            .productID: ["product_id", "product id", "mã sản phẩm", "id sản phẩm", "mã kho"],
            .title: ["title", "tiêu đề", "tên", "tên sản phẩm", "tựa đề"],
            .kind: ["kind", "type", "loại", "loại sản phẩm", "thể loại"],
            .languages: ["languages", "language", "lang", "ngôn ngữ", "tiếng"],
            .unit: ["unit", "unit code", "đơn vị", "mã đơn vị", "mã đvhc"],
            .produced: ["produced", "production date", "ngày sản xuất", "ngày thực hiện", "ngày làm"],
            .published: ["published", "publication date", "ngày đăng", "ngày phát hành", "ngày xuất bản", "ngày phát sóng", "ngày đăng phát"],
            .channels: ["channels", "channel", "kênh", "kênh đăng phát", "kênh phát hành", "hình thức đăng phát"],
            .topics: ["topics", "topic", "keywords", "chủ đề", "từ khóa", "từ khoá"],
            .campaign: ["campaign", "chiến dịch", "đợt tuyên truyền", "đợt cao điểm"],
            .description: ["description", "mô tả", "tóm tắt", "nội dung", "ghi chú nội dung"],
            .creator: ["creator", "author", "tác giả", "người thực hiện", "người tạo", "đơn vị thực hiện"],
            .access: ["access", "access level", "quyền truy cập", "mức độ truy cập", "độ mật", "phạm vi"],
            .files: ["files", "file", "tệp", "tệp tin", "tập tin", "file đính kèm", "tệp đính kèm"],
            .carrier: ["carrier", "vật mang tin", "vật mang", "chất liệu", "dạng vật lý"],
            .digitized: ["digitized", "digitized on", "ngày số hóa", "ngày số hoá", "số hóa ngày"],
            .method: ["method", "digitization method", "phương thức số hóa", "cách số hóa", "phương pháp số hóa", "phương pháp"],
        ]
        var out: [String: ManifestColumn] = [:]
        for (column, names) in table { for name in names { out[ManifestColumn.key(name)] = column } }
        return out
    }()

    static func key(_ header: String) -> String {
        String(VietnameseText.fold(header).unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
    }

    public static func named(_ header: String) -> ManifestColumn? { aliases[key(header)] }

    /// Columns that hold several values separated by `|`.
    public var isList: Bool { [.languages, .channels, .topics, .files].contains(self) }
}
