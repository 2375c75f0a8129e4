// Products that share a master file: the same bytes ingested under different titles.
import GRDB
import KhoCore
import KhoPlatform

public struct DuplicateGroup: Sendable {
    public var sha256: String
    public var size: Int64
    public var holders: [BlobHolder]
}

extension Archive {
    public func duplicates() throws(KhoError) -> [DuplicateGroup] {
        try catalog.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT f.sha256, max(f.size) AS size FROM files f WHERE f.role = 'master'
                GROUP BY f.sha256 HAVING count(DISTINCT f.product_pk) > 1 ORDER BY max(f.size) DESC, f.sha256
                """)
            return try rows.map { row in
                let sha: String = row["sha256"]
                return DuplicateGroup(sha256: sha, size: row["size"],
                                      holders: try CatalogReads.holders(db, sha256: sha).filter { $0.role == .master })
            }
        }
    }
}
