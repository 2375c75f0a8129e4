// The sizes of OAI-PMH lists already counted: a list's first page counts its records (a scan of
// the catalog for a large one), and the same list asked again before anything changed (the
// catalog's change marker) has the same size, so harvesters starting over and over cost one
// count, not one each.
import KhoCore
import Synchronization

public final class OAICountCache: Sendable {
    private let entries = Mutex<[String: (marker: Int64, count: Int)]>([:])
    private let capacity: Int

    public init(capacity: Int = 256) { self.capacity = capacity }

    func count(_ key: String, marker: Int64, compute: () throws(KhoError) -> Int) throws(KhoError) -> Int {
        if let kept = entries.withLock({ $0[key] }), kept.marker == marker { return kept.count }
        let counted = try compute()
        entries.withLock { e in
            if e.count >= capacity { e.removeAll() }
            e[key] = (marker, counted)
        }
        return counted
    }
}
