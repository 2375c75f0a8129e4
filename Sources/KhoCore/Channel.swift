// Publication channels and which of them count as digital platforms (DOMAIN.md, "Channels").
import Foundation

public enum Channel: String, CaseIterable, Sendable, Codable {
    case webPortal = "web_portal"
    case onlinePress = "online_press"
    case facebook, youtube, tiktok, zalo
    case eBulletin = "e_bulletin"
    case loudspeaker, radio, television
    case printPress = "print_press"
    case print
    case bannerSite = "banner_site"
    case exhibition, event

    /// On a digital platform, for the digital-platform and diversified shares.
    public var isDigital: Bool {
        switch self {
        case .webPortal, .onlinePress, .facebook, .youtube, .tiktok, .zalo, .eBulletin: true
        default: false
        }
    }

    public var vietnamese: String {
        switch self {
        case .webPortal: "trang/cổng thông tin điện tử"
        case .onlinePress: "báo điện tử"
        case .facebook, .youtube, .tiktok, .zalo: "mạng xã hội"
        case .eBulletin: "bảng tin điện tử"
        case .loudspeaker: "hệ thống truyền thanh cơ sở"
        case .radio: "đài phát thanh"
        case .television: "đài truyền hình"
        case .printPress: "báo in"
        case .print: "in ấn (tờ rơi, tranh, sách)"
        case .bannerSite: "treo băng rôn, pano, màn hình LED"
        case .exhibition: "triển lãm, tuyên truyền lưu động"
        case .event: "hội nghị, hội thi, sinh hoạt"
        }
    }

    public static func parse(_ text: String) -> Channel? {
        let key = text.trimmingWhitespace().lowercased()
            .replacingAll("-", with: "_").replacingAll(" ", with: "_")
        return Channel(rawValue: key)
    }

    public static var expectedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
