// What changed between two versions of a product's metadata, in words for the event log.

public enum MetadataDiff {
    public static func changes(from old: ProductMetadata, to new: ProductMetadata) -> [String] {
        var out: [String] = []
        func note(_ field: String, _ a: String?, _ b: String?) {
            if a != b { out.append("\(field): \(a.map { "'\($0)'" } ?? "(none)") → \(b.map { "'\($0)'" } ?? "(none)")") }
        }
        note("title", old.title, new.title)
        note("kind", old.kind.rawValue, new.kind.rawValue)
        note("languages", old.languages.map(\.value).joined(separator: ","), new.languages.map(\.value).joined(separator: ","))
        note("unit", old.unit.value, new.unit.value)
        note("produced", old.produced?.description, new.produced?.description)
        note("published", old.published?.description, new.published?.description)
        note("channels", old.channels.map(\.rawValue).joined(separator: ","), new.channels.map(\.rawValue).joined(separator: ","))
        note("topics", old.topics.joined(separator: "|"), new.topics.joined(separator: "|"))
        note("campaign", old.campaign, new.campaign)
        note("description", old.description, new.description)
        note("creator", old.creator, new.creator)
        note("access", old.access.rawValue, new.access.rawValue)
        return out
    }
}
