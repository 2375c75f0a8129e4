// The --json results that may list a million product IDs, written through PrettyJSONWriter:
// every field the Codable form writes, with the same key, in the byte order of the keys.
// ResultWritingTests compare the two writers' bytes.
import KhoCore

extension ExportSummary: PrettyJSONResult {
    public func write(to w: inout PrettyJSONWriter) {
        w.beginObject()
        w.key("bundleSHA256"); w.string(bundleSHA256)
        w.key("exportID"); w.string(exportID)
        w.key("file"); w.string(file)
        if let follows { w.key("follows"); w.string(follows) }
        w.key("format"); w.string(format)
        w.key("payloadBytes"); w.int(payloadBytes)
        w.key("payloadFiles"); w.int(payloadFiles)
        w.key("productIDs"); w.productIDs(productIDs)
        w.key("products"); w.int(products)
        w.key("restrictedLeftOut"); w.int(restrictedLeftOut)
        w.endObject()
    }
}

extension BundleImportDocument: PrettyJSONResult {
    public func write(to w: inout PrettyJSONWriter) {
        w.beginObject()
        if let bundle { w.key("bundle"); w.string(bundle) }
        w.key("refused")
        w.beginArray()
        for refusal in refused {
            w.beginObject()
            w.key("id"); w.string(refusal.id)
            w.key("reason"); w.string(refusal.reason)
            w.endObject()
        }
        w.endArray()
        w.key("sender"); w.string(sender)
        w.key("stored"); w.productIDs(stored)
        w.key("unchanged"); w.productIDs(unchanged)
        w.key("updated"); w.productIDs(updated)
        w.endObject()
    }
}

extension ExportEntry: PrettyJSONResult {
    public func write(to w: inout PrettyJSONWriter) {
        w.beginObject()
        w.key("bundleSHA256"); w.string(bundleSHA256)
        w.key("createdAt"); w.string(createdAt)
        w.key("exportID"); w.string(exportID)
        w.key("file"); w.string(file)
        if let follows { w.key("follows"); w.string(follows) }
        w.key("format"); w.string(format)
        w.key("payloadBytes"); w.int(payloadBytes)
        w.key("period"); w.string(period)
        w.key("productCount"); w.int(productCount)
        w.key("products"); w.productIDs(products)
        w.key("scope"); w.string(scope)
        w.endObject()
    }
}
