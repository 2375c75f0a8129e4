// The kinds of communication product (DOMAIN.md, "Product kinds").
import Foundation

public enum ProductKind: String, CaseIterable, Sendable, Codable {
    case article, photo, poster, banner, leaflet, publication, infographic
    case radioReport = "radio_report"
    case radioDrama = "radio_drama"
    case radioProgram = "radio_program"
    case tvReport = "tv_report"
    case videoClip = "video_clip"
    case skit

    public var vietnamese: String {
        switch self {
        case .article: "tin, bài viết"
        case .photo: "ảnh tư liệu"
        case .poster: "tranh cổ động, áp phích"
        case .banner: "băng rôn, khẩu hiệu, pano"
        case .leaflet: "tờ rơi, tờ gấp"
        case .publication: "sách, tài liệu, xuất bản phẩm"
        case .infographic: "đồ họa thông tin"
        case .radioReport: "phóng sự phát thanh"
        case .radioDrama: "kịch truyền thanh"
        case .radioProgram: "chương trình, chuyên mục phát thanh"
        case .tvReport: "phóng sự truyền hình"
        case .videoClip: "video clip"
        case .skit: "tiểu phẩm"
        }
    }

    public var media: String {
        switch self {
        case .article: "text"
        case .photo, .poster, .banner, .infographic: "image"
        case .leaflet: "image/document"
        case .publication: "document"
        case .radioReport, .radioDrama, .radioProgram: "audio"
        case .tvReport, .videoClip: "video"
        case .skit: "video/audio"
        }
    }

    /// Accepts the key in any case, with `-` or space for `_`.
    public static func parse(_ text: String) -> ProductKind? {
        let key = text.trimmingWhitespace().lowercased()
            .replacingAll("-", with: "_").replacingAll(" ", with: "_")
        return ProductKind(rawValue: key)
    }

    public static var expectedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
