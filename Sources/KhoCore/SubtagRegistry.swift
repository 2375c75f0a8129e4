// The IANA Language Subtag Registry as Kho uses it: is each subtag of a well-formed tag
// registered, and is it deprecated? The data is generated into KhoReference (LanguageSubtagData).
import KhoReference

public struct SubtagRegistry: Sendable {
    public struct Entry: Sendable, Equatable {
        public var description: String
        /// For a deprecated subtag, what to use instead (may be empty: deprecated without a replacement).
        public var preferred: String?
    }

    public private(set) var languages: [String: Entry] = [:]
    public private(set) var extlangs: [String: Entry] = [:]
    public private(set) var scripts: [String: Entry] = [:]
    public private(set) var regions: [String: Entry] = [:]
    public private(set) var variants: [String: Entry] = [:]

    /// Parsed once, on first use.
    public static let standard = SubtagRegistry(data: LanguageSubtagData.text)
    /// The registry's File-Date.
    public static let fileDate = LanguageSubtagData.fileDate

    init(data: String) {
        for line in data.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 3 else { continue }
            let entry = Entry(description: f[2], preferred: f.count > 3 ? f[3] : nil)
            switch f[0] {
            case "L": languages[f[1].lowercased()] = entry
            case "E": extlangs[f[1].lowercased()] = entry
            case "S": scripts[f[1].lowercased()] = entry
            case "R": regions[f[1].uppercased()] = entry
            case "V": variants[f[1].lowercased()] = entry
            default: continue
            }
        }
    }

    /// Checks every subtag of a well-formed tag. A subtag that is not registered is a problem;
    /// a deprecated one is a warning naming its replacement.
    public func check(_ tag: LanguageTag) -> Result<[String], Problem> {
        if tag.isIrregular { return .success([]) }
        var warnings: [String] = []
        func unknown(_ what: String, _ subtag: String) -> Result<[String], Problem> {
            .failure(Problem(code: .unknownLanguageTag, field: "language", value: tag.value,
                             expected: "'\(subtag)' is not a registered \(what) subtag (IANA registry of \(SubtagRegistry.fileDate)); use a registered tag such as vi, tyz, hmn or en"))
        }
        func note(_ entry: Entry?, _ subtag: String) {
            guard let entry, let preferred = entry.preferred else { return }
            warnings.append(preferred.isEmpty ? "'\(subtag)' (\(entry.description)) is deprecated in BCP 47"
                                              : "'\(subtag)' (\(entry.description)) is deprecated in BCP 47; use '\(preferred)'")
        }
        let primary = tag.primary
        if !Self.isPrivateLanguage(primary) {
            guard let entry = languages[primary] else { return unknown("language", primary) }
            note(entry, primary)
        }
        for ext in tag.extlangs {
            guard let entry = extlangs[ext] else { return unknown("extended language", ext) }
            note(entry, ext)
        }
        if let script = tag.script, !Self.isPrivateScript(script) {
            guard let entry = scripts[script.lowercased()] else { return unknown("script", script) }
            note(entry, script)
        }
        if let region = tag.region, !Self.isPrivateRegion(region) {
            guard let entry = regions[region] else { return unknown("region", region) }
            note(entry, region)
        }
        for variant in tag.variants {
            guard let entry = variants[variant] else { return unknown("variant", variant) }
            note(entry, variant)
        }
        return .success(warnings)
    }

    public func languageName(_ subtag: String) -> String? { languages[subtag.lowercased()]?.description }

    // Ranges the registry reserves for private use.
    static func isPrivateLanguage(_ s: String) -> Bool {
        guard s.count == 3, let f = s.unicodeScalars.first, let l = s.unicodeScalars.dropFirst().first else { return false }
        return f == "q" && ("a"..."t").contains(l)
    }

    static func isPrivateScript(_ s: String) -> Bool {
        let lower = s.lowercased()
        return lower >= "qaaa" && lower <= "qabx"
    }

    static func isPrivateRegion(_ s: String) -> Bool {
        guard s.count == 2, let f = s.unicodeScalars.first, let l = s.unicodeScalars.dropFirst().first else { return false }
        return s == "AA" || s == "ZZ" || (f == "Q" && ("M"..."Z").contains(l)) || (f == "X" && ("A"..."Z").contains(l))
    }
}
