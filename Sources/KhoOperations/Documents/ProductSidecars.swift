// The bytes of a product's sidecar: its document with events (what a bundle's metadata.json
// holds, written the same way) and the catalog's own facts about it, and reading them back for
// a catalog rebuild. A sidecar may come from a replica others can write to: read as hostile,
// every field checked as a bundle's record is.
import Foundation
import KhoCore
import KhoStore

public struct ProductSidecars: SidecarFormat {
    /// Language groups in the document follow the scheme's default list (a sidecar does not
    /// change with the archive's settings; a rebuild does not read them).
    public init() {}

    public func encode(_ c: SidecarContent, archiveID: String) -> [UInt8] {
        let document = ProductDocument(c.product, events: c.events, registry: .standard)
        var w = PrettyJSONWriter()
        w.beginObject()
        w.key("archiveID"); w.string(archiveID)
        w.key("format"); w.string(SidecarDocument.format)
        w.key("homeArchive"); w.string(c.product.homeArchive)
        w.key("key"); w.int(c.key)
        w.key("product"); document.write(to: &w)
        w.key("shown"); w.int(c.shown)
        w.key("sources")
        w.beginArray()
        for source in c.sources {
            w.beginObject()
            w.key("sourceID"); w.string(source.sourceID)
            w.key("unit"); w.string(source.unit)
            w.endObject()
        }
        w.endArray()
        w.key("version"); w.int(1)
        w.key("withdrawn"); w.bool(c.withdrawn)
        w.endObject()
        return w.finishedWithNewline()
    }

    public func decode(_ bytes: [UInt8]) -> Result<SidecarContent, SidecarProblem> {
        guard let doc = try? JSONDecoder().decode(SidecarDocument.self, from: Data(bytes)), doc.format == SidecarDocument.format, doc.version == 1 else {
            return .failure(SidecarProblem("not a Kho product sidecar (format kho-sidecar, version 1)"))
        }
        let p = doc.product
        guard case .success(let id) = ProductID.parse(p.id) else { return .failure(SidecarProblem("product ID '\(TextRules.visible(p.id))' is not one")) }
        func fail(_ message: String) -> Result<SidecarContent, SidecarProblem> { .failure(SidecarProblem("product \(id): \(message)")) }
        let input = ProductInput(title: p.title, kind: p.kind, languages: p.languages, unit: p.unit, produced: p.produced,
                                 published: p.published, channels: p.channels, topics: p.topics, campaign: p.campaign,
                                 description: p.description, creator: p.creator, access: p.access)
        let metadata: ProductMetadata
        switch ProductValidator().validate(input) {
        case .success(let validated): metadata = validated.value
        case .failure(let failure): return fail(failure.problems.map(\.description).joined(separator: "; "))
        }
        // Numbers a catalog can hold (a planted key or event number near the top of SQLite's
        // range would stop every later insert), and no more files or events than a product has.
        let largest: Int64 = 1 << 53
        guard let origin = Origin(rawValue: p.origin), Timestamp.isISO(p.createdAt), Timestamp.isISO(p.updatedAt),
              (1...largest).contains(doc.key), (0...3).contains(doc.shown), p.files.count <= 10_000, (p.events ?? []).count <= 1_000_000,
              doc.sources.count <= 10_000 else { return fail("origin, times, key, shown or counts are not what a sidecar holds") }
        let digitization = Digitization(origin: origin, carrier: p.carrier.flatMap(Carrier.init(rawValue:)),
                                        digitizedOn: p.digitizedOn.flatMap { try? CalendarDate.parse($0).get() },
                                        method: p.digitizationMethod.flatMap(DigitizationMethod.init(rawValue:)))
        var files: [StoredFile] = []
        for f in p.files {
            guard SHA256Hex.isValid(f.sha256), (0...(1 << 50)).contains(f.size), (1...10_000).contains(f.n), let role = FileRole(rawValue: f.role),
                  Timestamp.isISO(f.addedAt), let original = Hex.bytes(f.originalNameHex), !f.name.isEmpty, f.name != ".", f.name != "..",
                  !f.name.contains("/"), !f.name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                return fail("file \(f.n) is not a file entry Kho writes")
            }
            files.append(StoredFile(n: f.n, sha256: f.sha256, size: f.size, name: FileName(display: f.name, original: original, decodedAs: f.nameEncoding),
                                    role: role, mediaType: f.mediaType, addedAt: Timestamp(iso: f.addedAt)))
        }
        guard Set(files.map(\.n)).count == files.count else { return fail("two files share a number") }
        var events: [PreservationEvent] = []
        for e in p.events ?? [] {
            guard let type = EventType(rawValue: e.type), let outcome = EventOutcome(rawValue: e.outcome), Timestamp.isISO(e.at),
                  let number = e.id, (1...largest).contains(number) else { return fail("an event is not one Kho writes") }
            events.append(PreservationEvent(id: number, at: Timestamp(iso: e.at), type: type, object: e.object, productID: id, agent: e.agent,
                                            outcome: outcome, detail: e.detail, importedFrom: e.importedFrom))
        }
        let product = Product(id: id, metadata: metadata, digitization: digitization, files: files, createdAt: Timestamp(iso: p.createdAt),
                              updatedAt: Timestamp(iso: p.updatedAt), homeArchive: doc.homeArchive)
        var content = SidecarContent(key: doc.key, product: product, events: events, shown: doc.shown, withdrawn: doc.withdrawn,
                                     sources: doc.sources.map { .init(unit: $0.unit, sourceID: $0.sourceID) })
        content.archiveID = doc.archiveID
        return .success(content)
    }
}

extension ProductSidecars {
    public func peek(_ bytes: [UInt8]) -> SidecarPeek? {
        guard let doc = try? JSONDecoder().decode(SidecarHeader.self, from: Data(bytes)), doc.format == SidecarDocument.format,
              // What the first pass acts on (blobs to copy in) is checked before it acts.
              doc.product.files.allSatisfy({ SHA256Hex.isValid($0.sha256) && (0...(1 << 50)).contains($0.size) }) else { return nil }
        return SidecarPeek(archiveID: doc.archiveID, productID: doc.product.id, key: doc.key, updatedAt: doc.product.updatedAt,
                           events: doc.product.events?.count ?? 0, sources: doc.sources.count,
                           files: doc.product.files.map { (sha256: $0.sha256, size: $0.size) })
    }
}

/// The parts of a sidecar a rebuild's first pass reads (nested values left unread).
struct SidecarHeader: Decodable {
    struct Nothing: Decodable { init(from decoder: any Decoder) throws {} }
    struct File: Decodable { var sha256: String; var size: Int64 }
    struct Product: Decodable { var id: String; var updatedAt: String; var files: [File]; var events: [Nothing]? }
    var format: String
    var archiveID: String
    var key: Int64
    var product: Product
    var sources: [Nothing]
}

struct SidecarDocument: Decodable {
    static let format = "kho-sidecar"
    struct Source: Decodable { var unit: String; var sourceID: String }
    var format: String
    var version: Int
    var archiveID: String
    var homeArchive: String?
    var key: Int64
    var product: ProductDocument
    var shown: Int
    var sources: [Source]
    var withdrawn: Bool
}
