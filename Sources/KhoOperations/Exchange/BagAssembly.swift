// An export's bag: the selected products streamed from the store into one BagIt bag, with
// each product's metadata.json and dc.xml. Everything in the bag, its ID and date included,
// derives from the archive's content, so the same scope from unchanged data gives the same bytes.
import Crypto
import Foundation
import KhoBundle
import KhoCore
import KhoPlatform
import KhoStore

struct BagAssembly {
    let archive: Archive
    let selection: ExportSelection
    let periodLabel: String
    let format: BundleFormat
    let sha512: Bool
    /// "everything", "changes after export <id>" or "changes from <date>".
    let sinceLabel: String
    /// Where the scratch file between the two passes goes (the output's folder).
    let scratchFolder: HostPath
    let progress: (any ProgressReporter)?

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

    /// What the first pass learns: the bag's identity (hashed as it goes), and the totals the
    /// tag files written ahead of the payload need. The products themselves wait in the
    /// scratch file, so memory stays flat whatever the size of the export.
    struct FirstPass {
        var identity = SHA256()
        var payloadFiles = 0
        var payloadBytes: Int64 = 0
        var manifestSize: Int64 = 0
    }

    /// One product as the first pass makes it: its line of the bag's identity, its scratch
    /// record, and its share of the payload's totals.
    struct Made: Sendable {
        var identityLine: [UInt8]
        var record: [UInt8]
        /// The product's lines of the payload manifest, in manifest order.
        var manifestLines: [UInt8]
        var files: Int
        var bytes: Int64
    }

    /// Products read and made into payloads at a time, on both cores.
    static let batch = 250
    static let batchesAtOnce = 8

    var scopeText: String {
        selection.plan.scope.unit.map { "\($0.code) \($0.fullName) (\($0.era.rawValue))" } ?? "the whole archive"
    }

    /// Two passes over the products. The first reads them in batches, makes each one's
    /// metadata.json and dc.xml, writes them to a scratch file and derives the bag's ID
    /// (archive, scope and every product's state). Without --sha512 the manifest is then
    /// written ahead of the payload, from the scratch file. The second pass streams the payload.
    func write(to fd: Int32) throws(KhoError) -> Written {
        let spill = try SpillFile(in: scratchFolder)
        // Each product's manifest lines, made on both cores in the first pass, so the tag files
        // are written without reading every record back.
        let manifest = try SpillFile(in: scratchFolder)
        let first = try firstPass(into: spill, manifest: manifest)
        let id = Hex.lower(first.identity.finalize().prefix(16))
        let last = selection.lastChange ?? archive.info.createdAt
        let bag = try BagWriter(fd: fd, format: format, name: "kho-export-\(id)", mtime: Int(Self.epochSeconds(last)), sha512: sha512,
                                scratch: scratchFolder)
        let info = bagInfo(id: id, last: last)
        // Tag files first when every digest is known: a reader then hashes the payload once.
        if !sha512 {
            try manifest.rewind()
            try bag.writeTagFilesFirst(info: info, payloadBytes: first.payloadBytes, payloadFiles: first.payloadFiles,
                                       manifestSize: first.manifestSize) { (emit) throws(KhoError) in
                while let lines = try manifest.next() { try emit(String(decoding: lines, as: UTF8.self)) }
            }
        }
        try spill.rewind()
        progress?.start(label: "exporting", totalBytes: first.payloadBytes, totalItems: selection.ids.count)
        defer { progress?.finish() }
        try writePayload(into: bag, from: spill)
        return Written(exportID: id, summary: try bag.finish(info: info))
    }

    private func firstPass(into spill: SpillFile, manifest: SpillFile) throws(KhoError) -> FirstPass {
        var pass = FirstPass()
        pass.identity.update(data: Array("kho-export 1\narchive \(archive.info.archiveID)\nscope \(scopeText)\nperiod \(periodLabel)\nsince \(sinceLabel)\n".utf8))
        let ids = selection.ids
        for groupStart in stride(from: 0, to: ids.count, by: Self.batch * Self.batchesAtOnce) {
            let group = stride(from: groupStart, to: min(groupStart + Self.batch * Self.batchesAtOnce, ids.count), by: Self.batch)
                .map { Array(ids[$0..<min($0 + Self.batch, ids.count)]) }
            // Each product's share of the totals is worked out on both cores too; this thread
            // only hashes the identity lines and writes the records, in order.
            let made = try Parallel.map(count: group.count, jobs: Parallel.defaultJobs) { (index, _) throws(KhoError) -> [Made] in
                try archive.productsWithEvents(group[index]).map { (product, events) in
                    let record = record(product, events)
                    let entries = record.manifestEntries
                    return Made(identityLine: Array("\(product.id) \(product.updatedAt.iso) \(product.files.map(\.sha256).joined(separator: ","))\n".utf8),
                                record: record.encoded(),
                                manifestLines: Array(entries.map { BagIt.manifestLine(path: "data/" + $0.path, digest: $0.sha256) }.joined().utf8),
                                files: entries.count, bytes: entries.reduce(0) { $0 + $1.size })
                }
            }
            for one in made.joined() {
                pass.identity.update(data: one.identityLine)
                try spill.append(one.record)
                if !sha512 { try manifest.append(one.manifestLines) }
                pass.payloadFiles += one.files
                pass.payloadBytes += one.bytes
                pass.manifestSize += Int64(one.manifestLines.count)
            }
        }
        return pass
    }

    private func writePayload(into bag: BagWriter, from spill: SpillFile) throws(KhoError) {
        // Each file's bytes go into the bag as they are read; the export's check of their
        // digests runs a step behind on a second thread, and is waited for before the bag ends.
        let reader = archive.checkedReader()
        let tagsFirst = !sha512
        while let bytes = try spill.next() {
            let record = try ProductRecord(bytes)
            guard let productID = try? ProductID.parse(record.id).get() else { throw KhoError(.internal, "a scratch record names no product") }
            if tagsFirst { try bag.expect(record.manifestEntries) }
            for file in record.files {
                // A mismatch found behind stops the export before another entry begins.
                try reader.check()
                try bag.addPayload("\(record.id)/\(file.name)", size: file.size, sha256: file.sha256) { (sink) throws(KhoError) in
                    try reader.stream(n: file.n, sha256: file.sha256, size: file.size, of: productID) { (chunk) throws(KhoError) in
                        try sink(chunk)
                        progress?.advance(bytes: Int64(chunk.count))
                    }
                }
            }
            try bag.addPayload("\(record.id)/metadata.json", bytes: record.metadata)
            try bag.addPayload("\(record.id)/dc.xml", bytes: record.dc)
            progress?.advance(bytes: Int64(record.metadata.count + record.dc.count))
            progress?.itemDone()
        }
        try reader.finish()
    }

    private func record(_ product: Product, _ events: [PreservationEvent]) -> ProductRecord {
        let p = payload(product, events)
        return ProductRecord(id: product.id.description,
                             files: zip(product.files, p.names).map { .init(n: $0.n, name: $1, sha256: $0.sha256, size: $0.size) },
                             metadata: p.metadata, metadataSHA256: Hex.lower(SHA256.hash(data: p.metadata)),
                             dc: p.dc, dcSHA256: Hex.lower(SHA256.hash(data: p.dc)))
    }

    private func payload(_ product: Product, _ events: [PreservationEvent]) -> Payload {
        let names = BagFileNames.unique(product.files.map(\.name.display), reserved: ["metadata.json", "dc.xml"])
        let document = MetadataDocument(product: ProductDocument(product, events: events, registry: archive.registry),
                                        bagFiles: zip(product.files, names).map { .init(n: $0.n, path: "data/\(product.id)/\($1)") },
                                        exportedFrom: archive.info.archiveID, homeArchive: product.homeArchive ?? archive.info.archiveID)
        return Payload(product: product, names: names, metadata: document.prettyBytes(),
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
