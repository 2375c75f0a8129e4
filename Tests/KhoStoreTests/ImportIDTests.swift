// An import's public products get IDs in runs (ProductIDRuns); internal and restricted ones
// fully random IDs, which tie them to no other product; each import draws runs of its own.
import GRDB
import Testing
import KhoCore
import KhoPlatform
import KhoTesting
@testable import KhoStore

@Suite struct ImportIDTests {
    /// `rows` registrations: every 7th restricted, every 11th (not 7th) internal, the rest public.
    func manifest(_ scratch: Scratch, _ name: String, rows: Int) -> HostPath {
        var lines = ["source_id,title,kind,languages,unit,produced,carrier,access"]
        for i in 0..<rows {
            let access = i % 7 == 0 ? "restricted" : i % 11 == 0 ? "internal" : "public"
            lines.append("\(name)\(i),Sản phẩm \(name) \(i),leaflet,vi,00004,2024-01-01,paper,\(access)")
        }
        return scratch.hostFile("\(name).csv", lines.joined(separator: "\n") + "\n")
    }

    /// Prefixes (first four characters) of the products whose source IDs start with `name`, by access.
    func prefixes(_ archive: Archive, _ name: String) throws -> [String: [String]] {
        try archive.catalog.read { db in
            var out: [String: [String]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT p.access, substr(p.id, 1, 4) FROM products p JOIN product_sources s ON s.product_pk = p.pk WHERE s.source_id LIKE ? || '%'
                """, arguments: [name]) {
                out[row[0], default: []].append(row[1])
            }
            return out
        }
    }

    @Test func publicProductsComeInRunsAndNoOtherProductSharesThem() throws {
        let scratch = Scratch()
        let archive = try scratch.archive()
        for name in ["A", "B"] {
            let report = try archive.importManifest(manifest(scratch, name, rows: 5000),
                                                    options: ImportOptions(report: HostPath("\(scratch.path)/\(name).result.csv")))
            #expect(report.count(.stored) == 5000)
        }
        let a = try prefixes(archive, "A"), b = try prefixes(archive, "B")
        let publicA = Set(a["public"] ?? []), publicB = Set(b["public"] ?? [])
        #expect((a["public"] ?? []).count == 3895)
        // 3,895 public products: within one run of 4,096.
        #expect(publicA.count == 1 && publicB.count == 1)
        // Each import has runs of its own.
        #expect(publicA.isDisjoint(with: publicB))
        for access in ["internal", "restricted"] {
            let hidden = (a[access] ?? []) + (b[access] ?? [])
            #expect(hidden.count > 500)
            // Fully random: nearly every one its own prefix, and hardly ever a public run's.
            #expect(Set(hidden).count > hidden.count * 9 / 10)
            #expect(hidden.filter { publicA.contains($0) || publicB.contains($0) }.count <= 2)
        }
    }
}
