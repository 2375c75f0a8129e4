// Progress of long work. The store reports; the command line decides how to show it.

public protocol ProgressReporter: Sendable {
    /// Work is starting: `totalBytes` over `totalItems` items.
    func start(label: String, totalBytes: Int64, totalItems: Int)
    /// Called from worker threads as bytes are processed.
    func advance(bytes: Int64)
    func itemDone()
    func finish()
}
