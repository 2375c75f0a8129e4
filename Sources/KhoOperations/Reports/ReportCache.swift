// Reports already computed, for the web app: a report is a function of the request and the
// catalog's products, so one asked again before anything changed (the catalog's change marker,
// the last event: every change of a product writes one) is the same report. The first asker
// computes it; others asking meanwhile wait for that computation instead of starting their own,
// so thirty auditors opening the country's dashboard at nine cost one computation, and memory
// holds one report, not thirty.
import KhoCore
import KhoStore
import Synchronization

public final class ReportCache: Sendable {
    private final class Entry: Sendable {
        let marker: Int64
        let result = Mutex<Result<Report, KhoError>?>(nil)
        let lock = Mutex<Void>(())
        init(marker: Int64) { self.marker = marker }
    }

    private let entries = Mutex<(map: [ReportRequest: Entry], order: [ReportRequest])>(([:], []))
    private let capacity: Int

    public init(capacity: Int = 64) { self.capacity = capacity }

    /// The report for `request` at catalog state `marker`, computed by `compute` only when no
    /// report of that request at that state is kept (or being computed). Failures are not kept.
    public func report(_ request: ReportRequest, marker: Int64, compute: () throws(KhoError) -> Report) throws(KhoError) -> Report {
        let entry = entries.withLock { e -> Entry in
            if let found = e.map[request], found.marker == marker { return found }
            let fresh = Entry(marker: marker)
            e.map[request] = fresh
            e.order.removeAll { $0 == request }
            e.order.append(request)
            while e.order.count > capacity { e.map[e.order.removeFirst()] = nil }
            return fresh
        }
        // One computes while holding the entry's lock; the others wait on it, then read.
        let outcome: Result<Report, KhoError> = entry.lock.withLock { _ in
            if let kept = entry.result.withLock({ $0 }) { return kept }
            let computed: Result<Report, KhoError>
            do throws(KhoError) { computed = .success(try compute()) } catch { computed = .failure(error) }
            if case .success = computed { entry.result.withLock { $0 = computed } }
            return computed
        }
        if case .failure = outcome {
            entries.withLock { e in if e.map[request] === entry { e.map[request] = nil } }
        }
        return try outcome.get()
    }
}
