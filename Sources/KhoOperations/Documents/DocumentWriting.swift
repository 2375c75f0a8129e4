// The documents written in bulk (an export's metadata.json, each product's sidecar) through
// PrettyJSONWriter, without the Codable machinery. Every field the Codable form writes is here,
// with the same key, in the byte order of the keys; DocumentWritingTests compare the two
// writers' bytes.
import KhoCore

extension MetadataDocument {
    /// metadata.json's bytes, as JSONEncoder with [.prettyPrinted, .sortedKeys,
    /// .withoutEscapingSlashes] writes them, and a final newline.
    func prettyBytes() -> [UInt8] {
        var w = PrettyJSONWriter()
        w.beginObject()
        w.key("bagFiles")
        w.beginArray()
        for file in bagFiles {
            w.beginObject()
            w.key("n"); w.int(file.n)
            w.key("path"); w.string(file.path)
            w.endObject()
        }
        w.endArray()
        w.key("exportedFrom"); w.string(exportedFrom)
        w.key("format"); w.string(format)
        if let homeArchive { w.key("homeArchive"); w.string(homeArchive) }
        w.key("product"); product.write(to: &w)
        w.key("version"); w.int(version)
        w.endObject()
        return w.finishedWithNewline()
    }
}

extension ProductDocument {
    func write(to w: inout PrettyJSONWriter) {
        w.beginObject()
        w.key("access"); w.string(access)
        w.key("campaign"); w.string(campaign)
        w.key("carrier"); w.string(carrier)
        w.key("channels"); w.strings(channels)
        w.key("createdAt"); w.string(createdAt)
        w.key("creator"); w.string(creator)
        w.key("description"); w.string(description)
        w.key("digitalPlatform"); w.bool(digitalPlatform)
        w.key("digitizationMethod"); w.string(digitizationMethod)
        w.key("digitized"); w.bool(digitized)
        w.key("digitizedOn"); w.string(digitizedOn)
        if let events {
            w.key("events")
            w.beginArray()
            for event in events { event.write(to: &w) }
            w.endArray()
        }
        w.key("files")
        w.beginArray()
        for file in files { file.write(to: &w) }
        w.endArray()
        w.key("id"); w.string(id)
        w.key("kind"); w.string(kind)
        w.key("languageGroups"); w.strings(languageGroups)
        w.key("languages"); w.strings(languages)
        w.key("origin"); w.string(origin)
        w.key("produced"); w.string(produced)
        w.key("published"); w.string(published)
        w.key("referenceDate"); w.string(referenceDate)
        w.key("title"); w.string(title)
        w.key("topics"); w.strings(topics)
        w.key("unit"); w.string(unit)
        w.key("updatedAt"); w.string(updatedAt)
        w.endObject()
    }
}

extension FileDocument {
    func write(to w: inout PrettyJSONWriter) {
        w.beginObject()
        w.key("addedAt"); w.string(addedAt)
        if let lastCheck {
            w.key("lastCheck")
            w.beginObject()
            w.key("at"); w.string(lastCheck.at)
            w.key("outcome"); w.string(lastCheck.outcome)
            w.endObject()
        }
        w.key("mediaType"); w.string(mediaType)
        w.key("n"); w.int(n)
        w.key("name"); w.string(name)
        w.key("nameEncoding"); w.string(nameEncoding)
        w.key("originalNameHex"); w.string(originalNameHex)
        w.key("role"); w.string(role)
        w.key("sha256"); w.string(sha256)
        w.key("size"); w.int(size)
        w.endObject()
    }
}

extension EventDocument {
    func write(to w: inout PrettyJSONWriter) {
        w.beginObject()
        w.key("agent"); w.string(agent)
        w.key("at"); w.string(at)
        w.key("detail"); w.string(detail)
        w.key("id")
        if let id { w.int(id) } else { w.null() }
        if let importedFrom { w.key("importedFrom"); w.string(importedFrom) }
        w.key("object"); w.string(object)
        w.key("outcome"); w.string(outcome)
        w.key("type"); w.string(type)
        w.endObject()
    }
}
