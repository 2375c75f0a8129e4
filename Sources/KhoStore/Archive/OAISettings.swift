// The "oai" part of kho-config.json: how the archive presents itself to OAI-PMH harvesters.
//
//   "oai": {"repositoryIdentifier": "kho.vinhlong.gov.vn", "repositoryName": "…",
//           "adminEmail": ["luutru@vinhlong.gov.vn"], "pageSize": 100}
import KhoCore

public struct OAISettings: Sendable, Equatable {
    /// A domain name (oai-identifier's pattern); nil: from the server's base URL.
    public var repositoryIdentifier: String?
    public var repositoryName: String?
    public var adminEmails: [String] = []
    public var pageSize = 100

    public init() {}

    static func parse(_ value: Any, path: String) throws(KhoError) -> OAISettings {
        func bad(_ what: String) -> KhoError { KhoError(.invalidConfig, "\(path): oai: \(what)") }
        guard let object = value as? [String: Any] else { throw bad("must be an object with repositoryIdentifier, repositoryName, adminEmail, pageSize") }
        let known: Set<String> = ["repositoryIdentifier", "repositoryName", "adminEmail", "pageSize"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) { throw bad("unknown setting \(unknown) (known: \(known.sorted().joined(separator: ", ")))") }
        var settings = OAISettings()
        if let id = object["repositoryIdentifier"] {
            guard let id = id as? String, isDomainName(id) else { throw bad("repositoryIdentifier must be a domain name like kho.vinhlong.gov.vn") }
            settings.repositoryIdentifier = id
        }
        if let name = object["repositoryName"] {
            guard let name = name as? String, !name.isEmpty else { throw bad("repositoryName must be a text") }
            settings.repositoryName = name
        }
        if let emails = object["adminEmail"] {
            let list = (emails as? [String]) ?? (emails as? String).map { [$0] }
            guard let list, !list.isEmpty, list.allSatisfy(isEmail) else { throw bad("adminEmail must be an address like luutru@vinhlong.gov.vn, or a list of them") }
            settings.adminEmails = list
        }
        if let size = object["pageSize"] {
            guard let size = size as? Int, (10...1000).contains(size) else { throw bad("pageSize must be a whole number from 10 to 1000") }
            settings.pageSize = size
        }
        return settings
    }

    /// oai-identifier.xsd's repositoryIdentifier: labels of letters, digits and '-', starting
    /// with a letter, at least two of them.
    public static func isDomainName(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { label in
            guard let first = label.utf8.first, (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A else { return false }
            return label.utf8.allSatisfy { c in ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D }
        }
    }

    /// OAI-PMH.xsd's emailType: \S+@(\S+\.)+\S+.
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !text.contains(where: \.isWhitespace)
            && parts[1].split(separator: ".", omittingEmptySubsequences: false).count >= 2
            && !parts[1].split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty)
    }
}
