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

    /// Jobs a user may have queued or running at once, and all users together.
    static let maxWaitingPerUser = 5
    static let maxWaiting = 50
    /// How long finished jobs (an import's results) are kept, and an import's gathered files
    /// when the check was never followed by a run.
    static let keepFinished: Double = 7 * 86_400
    static let keepUnrunFiles: Double = 86_400

    init(area: JobArea, pool: BlockingPool, now: @escaping @Sendable () -> Double) {
        self.area = area
        self.pool = pool
        self.now = now
        area.recover(now: now())
        cleanUp()
        let records = Dictionary(area.all().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        state.withLock { $0.records = records }
    }

    /// Removes what finished jobs left beyond their time (see `JobArea.removeFinished`), and
    /// forgets them here too. Called at start and now and then (ServerState).
    func cleanUp() {
        let removed = Set(area.removeFinished(before: now() - Self.keepFinished, unrunChecksBefore: now() - Self.keepUnrunFiles))
        if !removed.isEmpty { state.withLock { s in for id in removed { s.records[id] = nil } } }
    }

    /// Whether `user` may start another job now; the error says why not.
    func checkRoom(for user: UserAccount) throws(KhoError) {
        if let refusal = state.withLock({ Self.refusal(for: user, in: $0.records) }) { throw refusal }
    }

    /// Why `user` may not start another job beside `records`, or nil when they may.
    static func refusal(for user: UserAccount, in records: [String: JobRecord]) -> KhoError? {
        let waiting = records.values.filter { !$0.state.isOver }
        if waiting.filter({ $0.owner == user.name }).count >= maxWaitingPerUser {
            return KhoError(.tooManyAttempts, Lang.pick("Bạn đã có \(maxWaitingPerUser) việc đang chờ hoặc đang chạy; hãy đợi chúng xong.",
                                                          "You have \(maxWaitingPerUser) jobs waiting or running; wait until they are done."))
        }
        if waiting.count >= maxWaiting { return KhoError(.tooManyAttempts, Lang.pick("Kho đang có \(maxWaiting) việc chờ chạy; hãy thử lại sau ít phút.", "Kho has \(maxWaiting) jobs waiting; try again in a few minutes.")) }
        return nil
    }

    /// Queues `work` as a new job of `kind` for `user`; returns its record. The room is
    /// checked and the job taken in one step, so a burst of requests cannot pass the limits.
    func submit(_ kind: JobRecord.Kind, id: String = Tokens.hex(), user: UserAccount, parameters: [String: String],
                session: Session, work: @escaping Work) throws(KhoError) -> JobRecord {
        let record = JobRecord(id: id, kind: kind, owner: user.name, ownerUnit: user.unit, parameters: parameters, createdAt: now())
        let refusal = state.withLock { s -> KhoError? in
            if let refusal = Self.refusal(for: user, in: s.records) { return refusal }
            s.records[id] = record
            return nil
        }
        if let refusal { throw refusal }
        do throws(KhoError) { try area.save(record) } catch {
            state.withLock { _ = $0.records.removeValue(forKey: id) }
            throw error
        }
        let start = state.withLock { s -> Bool in
            s.queue.append((id, session, work))
            if s.running { return false }
            s.running = true
            return true
        }
        if start { drain() }
        return record
    }

    /// Takes the right to run check `checkID` as run `runID`: nil when taken, or the run that
    /// already has it (one that did not fail: a failed or interrupted run may be tried again).
    func claimRun(_ checkID: String, runID: String) -> String? {
        state.withLock { s -> String? in
            if let existing = s.records[checkID]?.parameters["run"], let run = s.records[existing], run.state != .failed && run.state != .interrupted {
                return existing
            }
            s.records[checkID]?.parameters["run"] = runID
            return nil
        }
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
                        record.message = self.shown(error)
                    }
                }
            }
        }
    }

    /// What a failed job says to the people who follow it: the clerk's own mistakes as they are,
    /// with the archive's folders taken out; the machine's trouble without its details.
    func shown(_ error: KhoError) -> String {
        if error.code.httpStatus >= 500 {
            return "Kho gặp lỗi khi làm việc này (\(error.code.rawValue)); dữ liệu đã lưu không bị ảnh hưởng. Hãy báo quản trị viên."
        }
        return JobArea.hidingFolders(error.message, root: area.root)
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
