// Reading a Kho bundle back into products: each data/<product-id>/metadata.json says what the
// product is, which of the unpacked files are its files, and its event history. Everything is
// validated again (the sender's metadata must pass this archive's rules too).
import Foundation
import KhoBundle
import KhoCore
import KhoStore

enum BundleImporter {
    struct Failure: Error { var message: String }

    /// The products of a verified Kho bundle whose payload was unpacked to `unpacked`
    /// (path inside the bag → file).
    static func products(check: BagCheck, unpacked: [String: String], digests: [String: String]) -> Result<[BundleProduct], Failure> {
        guard check.info.contains(where: { $0.label == "Kho-Archive-ID" }) else {
            return .failure(Failure(message: "this bag was not made by Kho (no Kho-Archive-ID in bag-info.txt); kho bundle import takes bundles from kho export"))
        }
        var products: [BundleProduct] = []
        for metadataPath in unpacked.keys.filter({ $0.hasSuffix("/metadata.json") }).sorted() {
            let folder = String(metadataPath.dropLast("/metadata.json".count))
            guard case .success(let id) = ProductID.parse(String(folder.dropFirst("data/".count))) else {
                return .failure(Failure(message: "\(metadataPath): the folder is not a product ID"))
            }
            guard let data = FileManager.default.contents(atPath: unpacked[metadataPath]!),
                  let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  root["format"] as? String == "kho-product", let p = root["product"] as? [String: Any] else {
                return .failure(Failure(message: "\(metadataPath) is not a Kho product record"))
            }
            func text(_ key: String) -> String? { p[key] as? String }
            func list(_ key: String) -> [String] { p[key] as? [String] ?? [] }
            let input = ProductInput(title: text("title"), kind: text("kind"), languages: list("languages"), unit: text("unit"),
                                     produced: text("produced"), published: text("published"), channels: list("channels"),
                                     topics: list("topics"), campaign: text("campaign"), description: text("description"),
                                     creator: text("creator"), access: text("access"))
            let metadata: ProductMetadata
            switch ProductValidator().validate(input) {
            case .success(let validated): metadata = validated.value
            case .failure(let failure):
                return .failure(Failure(message: "\(metadataPath): \(failure.problems.map(\.description).joined(separator: "; "))"))
            }
            let origin = text("origin").flatMap(Origin.init(rawValue:)) ?? .bornDigital
            let digitization = Digitization(origin: origin, carrier: text("carrier").flatMap(Carrier.init(rawValue:)),
                                            digitizedOn: text("digitizedOn").flatMap { try? CalendarDate.parse($0).get() },
                                            method: text("digitizationMethod").flatMap(DigitizationMethod.init(rawValue:)))
            var bagPaths: [Int: String] = [:]
            for entry in root["bagFiles"] as? [[String: Any]] ?? [] {
                if let n = entry["n"] as? Int, let path = entry["path"] as? String { bagPaths[n] = path }
            }
            var files: [BundleFile] = []
            for f in p["files"] as? [[String: Any]] ?? [] {
                guard let n = f["n"] as? Int, let sha = f["sha256"] as? String, let size = (f["size"] as? NSNumber)?.int64Value,
                      let name = f["name"] as? String, let bagPath = bagPaths[n], let file = unpacked[bagPath] else {
                    return .failure(Failure(message: "\(metadataPath): a file entry is incomplete or its bytes are not in the bundle"))
                }
                // The record's digest and size must be those of the bytes in the bag: the file is
                // stored under its digest.
                let actualSize = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int64
                guard digests[bagPath]?.lowercased() == sha.lowercased(), actualSize == size else {
                    return .failure(Failure(message: "\(metadataPath): file \(n) (\(bagPath)) is not the file its record describes (digest or size differ)"))
                }
                let original = Hex.bytes(f["originalNameHex"] as? String ?? "") ?? Array(name.utf8)
                files.append(BundleFile(n: n, name: FileName(display: name, original: original, decodedAs: f["nameEncoding"] as? String ?? "utf-8"),
                                        role: (f["role"] as? String).flatMap(FileRole.init(rawValue:)) ?? .master,
                                        mediaType: f["mediaType"] as? String ?? "application/octet-stream", sha256: sha, size: size,
                                        path: HostPath(file)))
            }
            var events: [PreservationEvent] = []
            for e in p["events"] as? [[String: Any]] ?? [] {
                guard let at = e["at"] as? String, let type = (e["type"] as? String).flatMap(EventType.init(rawValue:)),
                      let object = e["object"] as? String, let agent = e["agent"] as? String,
                      let outcome = (e["outcome"] as? String).flatMap(EventOutcome.init(rawValue:)) else { continue }
                events.append(PreservationEvent(at: Timestamp(iso: at), type: type, object: object, productID: id, agent: agent,
                                                outcome: outcome, detail: e["detail"] as? String))
            }
            products.append(BundleProduct(id: id, metadata: metadata, digitization: digitization, files: files, events: events))
        }
        return .success(products)
    }
}
