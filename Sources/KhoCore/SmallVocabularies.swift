// The short closed lists: access levels, physical carriers, digitization methods, file roles.
import Foundation

/// Who may see a product. Restricted products never leave the archive.
public enum AccessLevel: String, CaseIterable, Sendable, Codable {
    case `public`, `internal`, restricted

    public static func parse(_ text: String) -> AccessLevel? {
        AccessLevel(rawValue: text.trimmingWhitespace().lowercased())
    }

    /// public < internal < restricted: going down this order opens a product to more people.
    public var rank: Int {
        switch self {
        case .public: 0
        case .internal: 1
        case .restricted: 2
        }
    }
}

/// The physical carrier a product exists on before it is digitized.
public enum Carrier: String, CaseIterable, Sendable, Codable {
    case paper, print, photo
    case audioTape = "audio_tape"
    case videoTape = "video_tape"
    case film

    public var vietnamese: String {
        switch self {
        case .paper: "giấy"
        case .print: "bản in (tranh, áp phích)"
        case .photo: "ảnh in"
        case .audioTape: "băng âm thanh"
        case .videoTape: "băng hình"
        case .film: "phim"
        }
    }

    /// The usual way to digitize this carrier, used when `--method` is not given.
    public var defaultMethod: DigitizationMethod {
        switch self {
        case .paper, .print, .photo: .scan
        case .audioTape, .videoTape, .film: .transfer
        }
    }

    /// The usual carrier of a product of this kind that exists only physically.
    public static func typical(for kind: ProductKind) -> Carrier {
        switch kind {
        case .poster, .banner, .infographic: .print
        case .photo: .photo
        case .radioReport, .radioDrama, .radioProgram: .audioTape
        case .tvReport, .videoClip, .skit: .videoTape
        case .article, .leaflet, .publication: .paper
        }
    }

    public static func parse(_ text: String) -> Carrier? {
        let key = text.trimmingWhitespace().lowercased()
            .replacingAll("-", with: "_").replacingAll(" ", with: "_")
        return Carrier(rawValue: key)
    }
}

public enum DigitizationMethod: String, CaseIterable, Sendable, Codable {
    case scan, photograph, transfer

    public static func parse(_ text: String) -> DigitizationMethod? {
        DigitizationMethod(rawValue: text.trimmingWhitespace().lowercased())
    }
}

/// The role of a file within its product.
public enum FileRole: String, CaseIterable, Sendable, Codable {
    /// The preservation master: what "digitized" counts.
    case master
    /// A derived copy for viewing or broadcast.
    case access
    /// Anything else belonging to the product (subtitles, script, notes).
    case supplement

    public static func parse(_ text: String) -> FileRole? {
        FileRole(rawValue: text.trimmingWhitespace().lowercased())
    }
}

/// How the product became digital.
public enum Origin: String, Sendable, Codable {
    /// Made on a computer, camera or phone: digital from the start.
    case bornDigital = "born_digital"
    /// Exists on a physical carrier; digitized once a master is attached.
    case physical
}

extension String {
    /// Trims spaces, tabs and line breaks (including the no-break space Excel likes).
    public func trimmingWhitespace() -> String {
        // Most cells are plain: nothing to trim at either end.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return self }
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[start...end])
    }
}

/// Yes or no, as a clerk may type it in English or Vietnamese.
public enum YesNo {
    public static func parse(_ text: String) -> Bool? {
        switch VietnameseText.nfc(text).trimmingWhitespace().lowercased() {
        case "yes", "y", "true", "1", "có": true
        case "no", "n", "false", "0", "không": false
        default: nil
        }
    }
}
