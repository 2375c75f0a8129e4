// Where an uploaded file goes in a web import's folder: the path the browser gave (a folder
// dropped or chosen keeps its tree, so a manifest's relative paths still find their files),
// checked as hostile input. Nothing may climb out of the folder, hide, or name two files alike.

public enum UploadedTree {
    /// The relative path from an upload's metadata (`relativepath`, else the file name), as
    /// checked components; a problem names what is wrong.
    public static func path(_ metadata: [String: [UInt8]], fileName: [UInt8]) -> Result<[String], Problem> {
        let raw = metadata["relativepath"].flatMap { $0.isEmpty ? nil : $0 } ?? fileName
        func fail(_ expected: String) -> Result<[String], Problem> {
            .failure(Problem(code: .pathEscapesFolder, field: "relativepath", value: String(decoding: raw, as: UTF8.self), expected: expected))
        }
        guard raw.count <= 1024, let text = String(validating: raw, as: UTF8.self) else { return fail("a UTF-8 path of at most 1024 bytes") }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 32 else { return fail("at most 32 folders deep") }
        for part in parts {
            if part.isEmpty || part == "." || part == ".." { return fail("a relative path without empty, '.' or '..' parts") }
            if part.utf8.count > 255 { return fail("names of at most 255 bytes") }
            if part.unicodeScalars.contains(where: isHidden) {
                return fail("names without control characters, direction marks or backslashes")
            }
        }
        return .success(parts)
    }

    /// Characters a name must not hold: controls (C0, DEL, C1), backslashes, and the marks
    /// that reorder or hide text (U+202E makes "gpj.exe" look like "exe.jpg").
    static func isHidden(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0..<0x20, 0x7F...0x9F, 0x5C, 0x200B...0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }

    /// Files a folder drop brings along that are not the clerk's (system files, hidden files).
    public static func isClutter(_ parts: [String]) -> Bool {
        parts.contains { $0.hasPrefix(".") } || ["Thumbs.db", "desktop.ini"].contains(parts.last ?? "")
    }

    /// Whether `name` is a manifest Kho reads (CSV, TSV, JSON Lines).
    public static func isManifest(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".jsonl")
    }

    /// The one manifest among `files` (paths as components), or what is wrong, said for a clerk.
    public static func manifest(among files: [[String]]) -> Result<[String], KhoError> {
        let manifests = files.filter { isManifest($0.last ?? "") }
        guard manifests.count == 1 else {
            return .failure(KhoError(.emptyManifest, manifests.isEmpty
                ? "Không thấy bảng kê: cần đúng một tệp .csv (hoặc .tsv, .jsonl) trong các tệp tải lên."
                : "Có \(manifests.count) bảng kê (\(manifests.prefix(10).map { $0.joined(separator: "/") }.joined(separator: ", "))); mỗi lần nhập chỉ một bảng kê."))
        }
        return .success(manifests[0])
    }

    /// Whether `name` is a zip of a manifest and its files.
    public static func isZip(_ name: String) -> Bool { name.lowercased().hasSuffix(".zip") }
}
