// An export's bag: the selected products streamed from the store into one BagIt bag, with
// each product's metadata.json and dc.xml. Everything in the bag, its ID and date included,
// derives from the archive's content, so the same scope from unchanged data gives the same bytes.
import Crypto
import Foundation
import KhoBundle
import KhoCore
import KhoStore

struct BagAssembly {
    let archive: Archive
    let selection: ExportSelection
    let periodLabel: String
    let format: BundleFormat
    let sha512: Bool
    /// "everything", "changes after export <id>" or "changes from <date>".
    let sinceLabel: String

    struct Written {
        var exportID: String
        var summary: BagSummary
    }

    /// A product's payload beside its files: names in the bag, metadata.json, dc.xml.
    struct Payload {
        var product: Product
        var names: [String]
        var metadata: [UInt8]
        var dc: [UInt8]
    }

    /// What the first pass learns: the bag's identity, the manifest (without --sha512) and the
    /// payloads kept for the second pass while they fit in memory.
    struct FirstPass {
        var identity: String
        var announced: [(path: String, size: Int64, sha256: String)] = []
        var kept: [ProductID: Payload] = [:]
        var keptBytes = 0
    }

    static let keepLimit = 256 << 20

    var scopeText: String {
        selection.plan.scope.unit.map { "\($0.code) \($0.fullName) (\($0.era.rawValue))" } ?? "the whole archive"
    }

    /// Two passes over the products. The first reads them in batches, makes each one's
    /// metadata.json and dc.xml, and from what it read derives the bag's ID (archive, scope and
    /// every product's state) and, without --sha512, the manifest written ahead of the payload.
    /// The second streams the payload.
    func write(to fd: Int32, progress: (Int) -> Void) throws(KhoError) -> Written {
        var first = try firstPass()
        let id = Hex.lower(SHA256.hash(data: Data(first.identity.utf8)).prefix(16))
        let last = selection.lastChange ?? archive.info.createdAt
        let bag = try BagWriter(fd: fd, format: format, name: "kho-export-\(id)", mtime: Int(Self.epochSeconds(last)), sha512: sha512)
        let info = bagInfo(id: id, last: last)
        // Tag files first when every digest is known: a reader then hashes the payload once.
        if !sha512 { try bag.writeTagFilesFirst(payload: first.announced, info: info) }
        try writePayload(into: bag, kept: &first.kept, progress: progress)
        return Written(exportID: id, summary: try bag.finish(info: info))
    }

    private func firstPass() throws(KhoError) -> FirstPass {
        var pass = FirstPass(identity: "kho-export 1\narchive \(archive.info.archiveID)\nscope \(scopeText)\nperiod \(periodLabel)\nsince \(sinceLabel)\n")
        for start in stride(from: 0, to: selection.ids.count, by: 500) {
            let batch = Array(selection.ids[start..<min(start + 500, selection.ids.count)])
            for (product, events) in try archive.productsWithEvents(batch) {
                let id = product.id
                pass.identity += "\(id) \(product.updatedAt.iso) \(product.files.map(\.sha256).joined(separator: ","))\n"
                guard !sha512 || pass.keptBytes < Self.keepLimit else { continue }
                let p = try payload(product, events)
                // Kept for the second pass while they fit; made again after that.
                if pass.keptBytes < Self.keepLimit {
                    pass.kept[id] = p
                    pass.keptBytes += p.metadata.count + p.dc.count + 4096
                }
                if !sha512 {
                    for (file, name) in zip(product.files, p.names) { pass.announced.append(("\(id)/\(name)", file.size, file.sha256)) }
                    pass.announced.append(("\(id)/metadata.json", Int64(p.metadata.count), Hex.lower(SHA256.hash(data: p.metadata))))
                    pass.announced.append(("\(id)/dc.xml", Int64(p.dc.count), Hex.lower(SHA256.hash(data: p.dc))))
                }
            }
        }
        return pass
    }

    private func writePayload(into bag: BagWriter, kept: inout [ProductID: Payload], progress: (Int) -> Void) throws(KhoError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        for (index, productID) in selection.ids.enumerated() {
            let p: Payload
            if let done = kept.removeValue(forKey: productID) {
                p = done
            } else {
                let read = try archive.productsWithEvents([productID])[0]
                p = try payload(read.product, read.events)
            }
            for (file, fileName) in zip(p.product.files, p.names) {
                try bag.addPayload("\(productID)/\(fileName)", size: file.size, sha256: file.sha256) { (sink) throws(KhoError) in
                    try archive.streamStoredFile(file, of: productID, buffer: buffer, sink: sink)
                }
            }
            try bag.addPayload("\(productID)/metadata.json", bytes: p.metadata)
            try bag.addPayload("\(productID)/dc.xml", bytes: p.dc)
            progress(index + 1)
        }
    }

    private func payload(_ product: Product, _ events: [PreservationEvent]) throws(KhoError) -> Payload {
        let names = BagFileNames.unique(product.files.map(\.name.display), reserved: ["metadata.json", "dc.xml"])
        let document = MetadataDocument(product: ProductDocument(product, events: events, registry: archive.registry),
                                        bagFiles: zip(product.files, names).map { .init(n: $0.n, path: "data/\(product.id)/\($1)") },
                                        exportedFrom: archive.info.archiveID, homeArchive: product.homeArchive ?? archive.info.archiveID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json: Data
        do { json = try encoder.encode(document) } catch {
            throw KhoError(.internal, "could not encode the metadata of \(product.id)", cause: Underlying(error))
        }
        return Payload(product: product, names: names, metadata: Array(json) + [10],
                       dc: Array(DublinCore.xml(product, registry: archive.registry).utf8))
    }

    private func bagInfo(id: String, last: Timestamp) -> [(label: String, value: String)] {
        let unit = selection.plan.scope.unit
        var info: [(label: String, value: String)] = [
            ("Source-Organization", unit.map { "\($0.fullName) (\($0.code))" } ?? "Kho archive \(archive.info.archiveID)"),
            ("Bagging-Date", String(last.iso.prefix(10))),
            ("External-Identifier", "urn:kho:export:\(id)"),
            ("Bag-Software-Agent", "kho \(KhoVersion.current)"),
            ("Kho-Archive-ID", archive.info.archiveID),
            ("Kho-Scope", scopeText),
            ("Kho-Period", periodLabel),
            ("Kho-Product-Count", String(selection.ids.count)),
            ("Kho-Restricted-Left-Out", String(selection.restrictedLeftOut)),
            ("Kho-Since", sinceLabel),
        ]
        info += selection.follows.map { [("Kho-Follows-Export", "urn:kho:export:\($0.exportID)")] } ?? []
        return info
    }

    static func epochSeconds(_ t: Timestamp) -> Double {
        let iso = Array(t.iso.utf8)
        guard iso.count >= 19, case .success(let day) = CalendarDate.parse(String(decoding: iso[0..<10], as: UTF8.self)),
              let h = Int(String(decoding: iso[11..<13], as: UTF8.self)), let m = Int(String(decoding: iso[14..<16], as: UTF8.self)),
              let s = Int(String(decoding: iso[17..<19], as: UTF8.self)) else { return 0 }
        return Double(day.daysSince1970 * 86400 + h * 3600 + m * 60 + s)
    }
}

/// metadata.json: everything Kho knows of the product, its event history, and where each of
/// its files is in the bag.
public struct MetadataDocument: Codable, Sendable {
    public struct BagFile: Codable, Sendable { public var n: Int; public var path: String }
    public var format = "kho-product"
    public var version = 1
    public var product: ProductDocument
    public var bagFiles: [BagFile]
    public var exportedFrom: String
    /// The archive that created the product: only a bundle of that archive may change it where
    /// it is imported. Absent in bundles of Kho before 0.2: the exporting archive is the home.
    public var homeArchive: String?
}
