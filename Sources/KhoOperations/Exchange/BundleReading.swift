// Reading a Kho bundle back into products: each data/<product-id>/metadata.json says what the
// product is, which of the unpacked files are its files, and its event history. Everything is
// validated again (the sender's metadata must pass this archive's rules too).
import Foundation
import KhoBundle
import KhoCore
import KhoPlatform
import KhoStore

enum BundleReading {
    struct Failure: Error { var message: String }

    /// A batch of records being decoded on other threads: each product, or why it cannot be read.
    typealias Decoding = Background<Swift.Result<[Result<BundleProduct, Failure>], KhoError>>

    /// What `BagReader.verify` should do with each payload file of a Kho bundle: records
    /// (metadata.json) kept in one scratch file, dc.xml (which import does not read) only
    /// checked, the product files unpacked.
    static func unpackAs(_ path: String) -> UnpackAs {
        path.hasSuffix("/metadata.json") ? .record : path.hasSuffix("/dc.xml") ? .skip : .file
    }

    /// The products of a verified Kho bundle whose payload was unpacked (`payload`: where each
    /// file went and its digest from the verifying pass) and kept as `records` (see
    /// `unpackAs`), handed to `body` one at a time in the bag's order (a record whose path was
    /// too long to keep as one was unpacked as a file; those follow). Stops at the first
    /// product that cannot be read, and says why. `batchSize` records are decoded at a time
    /// (two batches are held at most).
    static func forEachProduct(check: BagCheck, payload: PayloadIndex, recordFiles: [String], records: SpillFile?, registry: LanguageRegistry,
                               batchSize: Int, _ body: (BundleProduct) throws(KhoError) -> Void) throws(KhoError) -> Failure? {
        guard let sender = check.info.first(where: { $0.label == "Kho-Archive-ID" })?.value else {
            return Failure(message: "this bag was not made by Kho (no Kho-Archive-ID in bag-info.txt); kho bundle import takes bundles from kho export")
        }
        // Records are decoded a batch at a time on every core (JSON decoding is most of the
        // work), one batch ahead: the next batch is decoded while `body` takes the last one
        // (an import stores its products meanwhile).
        var batch: [(path: String, data: Data?)] = []
        var batchBytes = 0
        var ahead: Decoding?
        defer { _ = ahead?.wait() }
        func handOn(_ work: Decoding?) throws(KhoError) -> Failure? {
            guard let work else { return nil }
            for result in try work.wait().get() {
                switch result {
                case .success(let product): try body(product)
                case .failure(let failure): return failure
                }
            }
            return nil
        }
        func flush() throws(KhoError) -> Failure? {
            let pending = batch
            batch.removeAll(keepingCapacity: true)
            batchBytes = 0
            let previous = ahead
            ahead = nil
            if !pending.isEmpty {
                let work = Decoding()
                work.start {
                    Swift.Result { () throws(KhoError) in
                        try Parallel.map(count: pending.count, jobs: Parallel.defaultJobs) { (i, _) throws(KhoError) in
                            try product(at: pending[i].path, data: pending[i].data, payload: payload, registry: registry, sender: sender)
                        }
                    }
                }
                ahead = work
            }
            return try handOn(previous)
        }
        func take(_ path: String, _ data: Data?) throws(KhoError) -> Failure? {
            batch.append((path, data))
            batchBytes += data?.count ?? 0
            // A batch ends at its count or its bytes, whichever comes first: a record may be
            // up to maxTagFile long, and a stranger's bundle may hold many such.
            return batch.count >= batchSize || batchBytes >= Self.batchBytes ? try flush() : nil
        }
        if let records {
            try records.rewind()
            while let record = try records.next() {
                guard record.count >= 2 else { throw KhoError(.internal, "a bundle record is cut short") }
                let length = Int(record[0]) | Int(record[1]) << 8
                guard record.count >= 2 + length else { throw KhoError(.internal, "a bundle record is cut short") }
                let path = String(decoding: record[2..<2 + length], as: UTF8.self)
                if path.hasSuffix("/metadata.json"), let failure = try take(path, Data(record[(2 + length)...])) { return failure }
            }
        }
        // A record too large to be kept as one was unpacked as a file.
        for metadataPath in recordFiles {
            if let failure = try take(metadataPath, try payload.unpacked(metadataPath).flatMap { FileManager.default.contents(atPath: $0) }) { return failure }
        }
        if let failure = try flush() { return failure }
        let last = ahead
        ahead = nil
        return try handOn(last)
    }

    /// The bytes of records a batch holds at most (two batches are held at once).
    static let batchBytes = 16 << 20

    private static func product(at metadataPath: String, data: Data?, payload: PayloadIndex,
                                registry: LanguageRegistry, sender: String) throws(KhoError) -> Result<BundleProduct, Failure> {
        func fail(_ message: String) -> Result<BundleProduct, Failure> { .failure(Failure(message: "\(metadataPath)\(message)")) }
        let folder = String(metadataPath.dropLast("/metadata.json".count))
        guard case .success(let id) = ProductID.parse(String(folder.dropFirst("data/".count))) else {
            return fail(": the folder is not a product ID")
        }
        guard let data, let record = decodeRecord(data), record.format == "kho-product" else {
            return fail(" is not a Kho product record")
        }
        let p = record.product
        guard p.id == id.description else { return fail(": the record is of product \(p.id), not of its folder's \(id)") }
        let input = ProductInput(title: p.title, kind: p.kind, languages: p.languages, unit: p.unit, produced: p.produced,
                                 published: p.published, channels: p.channels, topics: p.topics, campaign: p.campaign,
                                 description: p.description, creator: p.creator, access: p.access)
        let metadata: ProductMetadata
        switch ProductValidator(languages: registry).validate(input) {
        case .success(let validated): metadata = validated.value
        case .failure(let failure): return fail(": \(failure.problems.map(\.description).joined(separator: "; "))")
        }
        let digitization = Digitization(origin: Origin(rawValue: p.origin) ?? .bornDigital, carrier: p.carrier.flatMap(Carrier.init(rawValue:)),
                                        digitizedOn: p.digitizedOn.flatMap { try? CalendarDate.parse($0).get() },
                                        method: p.digitizationMethod.flatMap(DigitizationMethod.init(rawValue:)))
        let bagPaths = Dictionary(record.bagFiles.map { ($0.n, $0.path) }, uniquingKeysWith: { first, _ in first })
        var files: [BundleFile] = []
        for f in p.files {
            guard let bagPath = bagPaths[f.n], let file = try payload.unpacked(bagPath) else {
                return fail(": a file entry is incomplete or its bytes are not in the bundle")
            }
            // The record's digest and size must be those of the bytes in the bag: the file is
            // stored under its digest.
            let actualSize = FS.fileStatus(HostPath(file)).map { Int64($0.st_size) }
            guard try payload.sha256(bagPath) == f.sha256.lowercased(), actualSize == f.size else {
                return fail(": file \(f.n) (\(bagPath)) is not the file its record describes (digest or size differ)")
            }
            let original = Hex.bytes(f.originalNameHex) ?? Array(f.name.utf8)
            files.append(BundleFile(n: f.n, name: FileName(display: f.name, original: original, decodedAs: f.nameEncoding),
                                    role: FileRole(rawValue: f.role) ?? .master, mediaType: f.mediaType, sha256: f.sha256,
                                    size: f.size, path: HostPath(file)))
        }
        // History that cannot be an event of this product (an unknown type, a time that is not
        // one, another object) is left out.
        let objects = Set(["product:\(id)"] + p.files.map { "file:\(id)/\($0.n)" })
        let events = (p.events ?? []).compactMap { e -> PreservationEvent? in
            guard let type = EventType(rawValue: e.type), let outcome = EventOutcome(rawValue: e.outcome),
                  Timestamp.isISO(e.at), objects.contains(e.object) else { return nil }
            return PreservationEvent(at: Timestamp(iso: e.at), type: type, object: e.object, productID: id, agent: e.agent,
                                     outcome: outcome, detail: e.detail, importedFrom: e.importedFrom)
        }
        // Names from elsewhere enter the catalog as single safe components, unique in the product.
        let names = FileName.unique(files.map(\.name.asComponent))
        for index in files.indices { files[index].name = names.names[index] }
        return .success(BundleProduct(id: id, metadata: metadata, digitization: digitization, files: files, events: events,
                                      homeArchive: record.homeArchive ?? record.exportedFrom))
    }

    /// The record, its malformed events left out (an event is history, not what the product is).
    static func decodeRecord(_ data: Data) -> MetadataDocument? {
        // Almost every record decodes whole; only one with a malformed event takes the slow way.
        if let record = try? JSONDecoder().decode(MetadataDocument.self, from: data) { return record }
        guard var root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              var product = root["product"] as? [String: Any] else { return nil }
        if let events = product["events"] as? [Any] {
            product["events"] = events.filter { event in
                guard let one = try? JSONSerialization.data(withJSONObject: event) else { return false }
                return (try? JSONDecoder().decode(EventDocument.self, from: one)) != nil
            }
            root["product"] = product
        }
        guard let cleaned = try? JSONSerialization.data(withJSONObject: root) else { return nil }
        return try? JSONDecoder().decode(MetadataDocument.self, from: cleaned)
    }
}
