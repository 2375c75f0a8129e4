// The error codes' tables, and the result documents' JSON: what --json prints reads back.
import Foundation
import KhoCore
import KhoOperations
import KhoPlatform
import KhoTesting
import Testing

@Suite struct ErrorTableTests {
    @Test func everyCodeHasAStableNameACategoryAndAStatus() {
        var names: Set<String> = []
        for code in ErrorCode.allCases {
            #expect(code.rawValue.range(of: "^[a-z]+(_[a-z0-9]+)*$", options: .regularExpression) != nil, "\(code.rawValue)")
            #expect(names.insert(code.rawValue).inserted)
            #expect((400...599).contains(code.httpStatus), "\(code)")
            // Damage is a server error or a refused upload; a user's mistake is never a 5xx.
            switch code.category {
            case .input, .usage: #expect((400...499).contains(code.httpStatus), "\(code)")
            case .damage: #expect(code.httpStatus == 500 || code == .invalidBundle, "\(code)")
            case .environment, .internal: #expect(code.httpStatus >= 500 || code == .archiveLocked, "\(code)")
            }
        }
        #expect(ErrorCode.unknownProduct.httpStatus == 404 && ErrorCode.changedMeanwhile.httpStatus == 409)
        #expect(ErrorCode.archiveLocked.httpStatus == 503 && ErrorCode.diskFull.httpStatus == 507 && ErrorCode.blobDamaged.httpStatus == 500)
        #expect(ErrorCode.usage.category == .usage && ErrorCode.blobDamaged.category == .damage && ErrorCode.diskFull.category == .environment)
    }

    @Test func anErrorCarriesItsSubjectAndCause() throws {
        let office = try Office()
        let missing = "\(office.scratch.path)/khong-co.pdf"
        let error = try #require(khoError { try Ingest(metadata: Office.metadata("T"), files: [HostPath(missing)]).run(in: office.session) })
        #expect(error.code == .missingFile && error.subject?.file == missing)
        #expect((error.cause as? Errno)?.code == ENOENT && error.causeText == "No such file or directory")
    }
}

@Suite struct DocumentTests {
    /// What an operation returns encodes to the JSON the command line prints and decodes back.
    @Test func documentsRoundTrip() throws {
        let office = try Office()
        let put = try office.ingest("Bài A", "A")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(put)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        // Flat, as `kho ingest --json` prints it; absent values are null, not missing.
        #expect(object["id"] as? String == put.product.id && object["status"] as? String == "stored" && object["bytesStored"] as? Int == 1)
        #expect(object.keys.contains("produced") && object["produced"] is NSNull && !object.keys.contains("events"))
        let back = try JSONDecoder().decode(PutDocument.self, from: json)
        #expect(back.product == put.product && back.status == put.status)
        let shown = try Show(id: try ProductID.parse(put.product.id).get()).run(in: office.session)
        #expect(try JSONDecoder().decode(ProductDocument.self, from: encoder.encode(shown)) == shown)
        let units = try ShowUnit(code: try UnitCode.parse("00004").get()).run()
        let unitJSON = try #require(try JSONSerialization.jsonObject(with: encoder.encode(units)) as? [[String: Any]])
        #expect(unitJSON.allSatisfy { $0.keys.contains("validFrom") && $0.keys.contains("validUntil") })
    }
}
