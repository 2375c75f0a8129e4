// The documents of an export as PrettyJSON values, so a bag's metadata.json is written without
// the Codable machinery (a tenth of the time per product). Every field the Codable form
// writes is here, with the same key; DocumentTreeTests compare the two writers' bytes.
import KhoCore

extension MetadataDocument {
    /// metadata.json's bytes, as JSONEncoder with [.prettyPrinted, .sortedKeys,
    /// .withoutEscapingSlashes] writes them, and a final newline.
    func prettyBytes() -> [UInt8] { tree.bytes() + [10] }

    var tree: PrettyJSON {
        var fields: [(String, PrettyJSON)] = [
            ("format", .string(format)),
            ("version", .int(Int64(version))),
            ("product", product.tree),
            ("bagFiles", .array(bagFiles.map { .object([("n", .int(Int64($0.n))), ("path", .string($0.path))]) })),
            ("exportedFrom", .string(exportedFrom)),
        ]
        if let homeArchive { fields.append(("homeArchive", .string(homeArchive))) }
        return .object(fields)
    }
}

extension ProductDocument {
    var tree: PrettyJSON {
        var fields: [(String, PrettyJSON)] = [
            ("id", .string(id)),
            ("title", .string(title)),
            ("kind", .string(kind)),
            ("languages", .array(languages.map { .string($0) })),
            ("languageGroups", .array(languageGroups.map { .string($0) })),
            ("unit", .string(unit)),
            ("produced", .optional(produced)),
            ("published", .optional(published)),
            ("referenceDate", .optional(referenceDate)),
            ("channels", .array(channels.map { .string($0) })),
            ("digitalPlatform", .bool(digitalPlatform)),
            ("topics", .array(topics.map { .string($0) })),
            ("campaign", .optional(campaign)),
            ("description", .optional(description)),
            ("creator", .optional(creator)),
            ("access", .string(access)),
            ("digitized", .bool(digitized)),
            ("origin", .string(origin)),
            ("carrier", .optional(carrier)),
            ("digitizedOn", .optional(digitizedOn)),
            ("digitizationMethod", .optional(digitizationMethod)),
            ("createdAt", .string(createdAt)),
            ("updatedAt", .string(updatedAt)),
            ("files", .array(files.map(\.tree))),
        ]
        if let events { fields.append(("events", .array(events.map(\.tree)))) }
        return .object(fields)
    }
}

extension FileDocument {
    var tree: PrettyJSON {
        var fields: [(String, PrettyJSON)] = [
            ("n", .int(Int64(n))),
            ("sha256", .string(sha256)),
            ("size", .int(size)),
            ("name", .string(name)),
            ("originalNameHex", .string(originalNameHex)),
            ("nameEncoding", .string(nameEncoding)),
            ("role", .string(role)),
            ("mediaType", .string(mediaType)),
            ("addedAt", .string(addedAt)),
        ]
        if let lastCheck { fields.append(("lastCheck", .object([("at", .string(lastCheck.at)), ("outcome", .string(lastCheck.outcome))]))) }
        return .object(fields)
    }
}

extension EventDocument {
    var tree: PrettyJSON {
        var fields: [(String, PrettyJSON)] = [
            ("id", id.map { .int($0) } ?? .null),
            ("at", .string(at)),
            ("type", .string(type)),
            ("object", .string(object)),
            ("agent", .string(agent)),
            ("outcome", .string(outcome)),
            ("detail", .optional(detail)),
        ]
        if let importedFrom { fields.append(("importedFrom", .string(importedFrom))) }
        return .object(fields)
    }
}
