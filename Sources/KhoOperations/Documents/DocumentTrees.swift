// The documents of an export as PrettyJSON values, so a bag's metadata.json is written without
// the Codable machinery (a tenth of the time per product). Every field the Codable form
// writes is here, with the same key, in the byte order of the keys; DocumentTreeTests compare
// the two writers' bytes.
import KhoCore

extension MetadataDocument {
    /// metadata.json's bytes, as JSONEncoder with [.prettyPrinted, .sortedKeys,
    /// .withoutEscapingSlashes] writes them, and a final newline.
    func prettyBytes() -> [UInt8] { tree.bytes() + [10] }

    var tree: PrettyJSON {
        var fields: [(String, PrettyJSON)] = [
            ("bagFiles", .array(bagFiles.map { .object([("n", .int(Int64($0.n))), ("path", .string($0.path))]) })),
            ("exportedFrom", .string(exportedFrom)),
            ("format", .string(format)),
        ]
        if let homeArchive { fields.append(("homeArchive", .string(homeArchive))) }
        fields += [("product", product.tree), ("version", .int(Int64(version)))]
        return .object(fields)
    }
}

extension ProductDocument {
    var tree: PrettyJSON {
        var fields: [(String, PrettyJSON)] = [
            ("access", .string(access)),
            ("campaign", .optional(campaign)),
            ("carrier", .optional(carrier)),
            ("channels", .array(channels.map { .string($0) })),
            ("createdAt", .string(createdAt)),
            ("creator", .optional(creator)),
            ("description", .optional(description)),
            ("digitalPlatform", .bool(digitalPlatform)),
            ("digitizationMethod", .optional(digitizationMethod)),
            ("digitized", .bool(digitized)),
            ("digitizedOn", .optional(digitizedOn)),
        ]
        if let events { fields.append(("events", .array(events.map(\.tree)))) }
        fields += [
            ("files", .array(files.map(\.tree))),
            ("id", .string(id)),
            ("kind", .string(kind)),
            ("languageGroups", .array(languageGroups.map { .string($0) })),
            ("languages", .array(languages.map { .string($0) })),
            ("origin", .string(origin)),
            ("produced", .optional(produced)),
            ("published", .optional(published)),
            ("referenceDate", .optional(referenceDate)),
            ("title", .string(title)),
            ("topics", .array(topics.map { .string($0) })),
            ("unit", .string(unit)),
            ("updatedAt", .string(updatedAt)),
        ]
        return .object(fields)
    }
}

extension FileDocument {
    var tree: PrettyJSON {
        var fields: [(String, PrettyJSON)] = [("addedAt", .string(addedAt))]
        if let lastCheck { fields.append(("lastCheck", .object([("at", .string(lastCheck.at)), ("outcome", .string(lastCheck.outcome))]))) }
        fields += [
            ("mediaType", .string(mediaType)),
            ("n", .int(Int64(n))),
            ("name", .string(name)),
            ("nameEncoding", .string(nameEncoding)),
            ("originalNameHex", .string(originalNameHex)),
            ("role", .string(role)),
            ("sha256", .string(sha256)),
            ("size", .int(size)),
        ]
        return .object(fields)
    }
}

extension EventDocument {
    var tree: PrettyJSON {
        var fields: [(String, PrettyJSON)] = [
            ("agent", .string(agent)),
            ("at", .string(at)),
            ("detail", .optional(detail)),
            ("id", id.map { .int($0) } ?? .null),
        ]
        if let importedFrom { fields.append(("importedFrom", .string(importedFrom))) }
        fields += [
            ("object", .string(object)),
            ("outcome", .string(outcome)),
            ("type", .string(type)),
        ]
        return .object(fields)
    }
}
