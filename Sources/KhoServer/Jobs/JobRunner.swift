// Runs the web app's background jobs (exports, imports) one at a time on the blocking pool:
// two cores do not gain from two exports at once, and one job at a time keeps memory flat. A
// job's record is saved at every change of state; its progress (bytes, items) lives in
// memory while it runs and is read by its page, which reloads itself until the job is over.
import KhoCore
import KhoOperations
import KhoPlatform
import KhoStore
import Synchronization

final class JobRunner: Sendable {
    /// What a job does: given a session reporting to the job's progress, the job's result.
    typealias Work = @Sendable (Session) throws(KhoError) -> [String: String]

    private let area: JobArea
    private let pool: BlockingPool
    private let now: @Sendable () -> Double
    private let state = Mutex<(records: [String: JobRecord], queue: [(String, Session, Work)], running: Bool)>(([:], [], false))

    /// Jobs a user may have queued or running at once.
    static let maxWaitingPerUser = 5

    init(area: JobArea, pool: BlockingPool, now: @escaping @Sendable () -> Double) {
        self.area = area
        self.pool = pool
        self.now = now
        area.recover(now: now())
        // Finished jobs (an import's files and results) are kept a week, then forgotten; an
        // export's bundle stays in exports/.
        area.removeFinished(before: now() - 7 * 86_400)
        let records = Dictionary(area.all().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        state.withLock { $0.records = records }
    }

    /// Queues `work` as a new job of `kind` for `user`; returns its record.
    func submit(_ kind: JobRecord.Kind, id: String = Tokens.hex(), user: UserAccount, parameters: [String: String],
                session: Session, work: @escaping Work) throws(KhoError) -> JobRecord {
        let record = JobRecord(id: id, kind: kind, owner: user.name, ownerUnit: user.unit, parameters: parameters, createdAt: now())
        let waiting = state.withLock { s in s.records.values.filter { $0.owner == user.name && !$0.state.isOver }.count }
        if waiting >= Self.maxWaitingPerUser {
            throw KhoError(.tooManyAttempts, "Bạn đã có \(Self.maxWaitingPerUser) việc đang chờ hoặc đang chạy; hãy đợi chúng xong.")
        }
        try area.save(record)
        let start = state.withLock { s -> Bool in
            s.records[id] = record
            s.queue.append((id, session, work))
            if s.running { return false }
            s.running = true
            return true
        }
        if start { drain() }
        return record
    }

    /// The job `id` as it stands now (progress included), nil when there is none.
    func record(_ id: String) -> JobRecord? { state.withLock { $0.records[id] } }

    /// Every job, newest first.
    func records() -> [JobRecord] {
        state.withLock { Array($0.records.values) }.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    /// Runs queued jobs until none is left, one at a time.
    private func drain() {
        Task {
            while let (id, session, work) = next() {
                update(id) { $0.state = .running; $0.startedAt = self.now() }
                var reporting = session
                reporting.progress = JobProgress(runner: self, id: id)
                let acting = reporting
                let outcome = (try? await pool.run { () -> Result<[String: String], KhoError> in
                    do throws(KhoError) { return .success(try work(acting)) } catch { return .failure(error) }
                }) ?? .failure(KhoError(.internal, "the job could not be started"))
                update(id) { record in
                    record.finishedAt = self.now()
                    switch outcome {
                    case .success(let result):
                        record.state = .done
                        record.result = result
                        if record.bytesTotal > 0 { record.bytesDone = record.bytesTotal }
                    case .failure(let error):
                        record.state = .failed
                        record.message = error.message
                    }
                }
            }
        }
    }

    private func next() -> (String, Session, Work)? {
        state.withLock { s in
            if s.queue.isEmpty {
                s.running = false
                return nil
            }
            return s.queue.removeFirst()
        }
    }

    /// Saves a job's record as it stands (after a change of its parameters).
    func persist(_ id: String) {
        if let record = record(id) { try? area.save(record) }
    }

    /// Changes a job's record; a change of state is saved (progress is not: it lives in memory).
    func update(_ id: String, _ change: @Sendable (inout JobRecord) -> Void) {
        let saved = state.withLock { s -> JobRecord? in
            guard var record = s.records[id] else { return nil }
            let before = record.state
            change(&record)
            s.records[id] = record
            return record.state != before ? record : nil
        }
        if let saved { try? area.save(saved) }
    }
}

/// A job's progress as the store reports it.
struct JobProgress: ProgressReporter {
    let runner: JobRunner
    let id: String

    func start(label: String, totalBytes: Int64, totalItems: Int) {
        runner.update(id) { $0.bytesTotal = totalBytes; $0.itemsTotal = totalItems; $0.bytesDone = 0; $0.itemsDone = 0 }
    }
    func advance(bytes: Int64) { runner.update(id) { $0.bytesDone += bytes } }
    func itemDone() { runner.update(id) { $0.itemsDone += 1 } }
    func finish() {}
}
