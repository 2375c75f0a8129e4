// A progress bar on stderr with rate and ETA, only when stderr is a terminal.
import Foundation
import KhoCore
import KhoPlatform
import Synchronization

final class TerminalProgress: ProgressReporter {
    private struct State {
        var label = ""
        var total: Int64 = 0
        var done: Int64 = 0
        var items = 0
        var itemsDone = 0
        var started = Date()
        var lastDraw = Date.distantPast
        var drawn = false
    }
    private let state = Mutex(State())
    /// Seconds of quiet before the bar appears, so short work prints nothing ($KHO_PROGRESS_DELAY).
    private let delay = Settings.current.progressDelay

    /// What the items are called on the bar ("files", "rows").
    private let noun: String

    init(noun: String) { self.noun = noun }

    /// A reporter for this terminal, or nil when stderr is not one (pipes, logs, CI).
    static func forTerminal(noun: String = "files") -> TerminalProgress? {
        guard Console.stderrIsTerminal, !Settings.current.noProgress else { return nil }
        return TerminalProgress(noun: noun)
    }

    func start(label: String, totalBytes: Int64, totalItems: Int) {
        state.withLock { $0 = State(label: label, total: totalBytes, items: totalItems, started: Date()) }
    }

    func advance(bytes: Int64) {
        state.withLock { s in
            s.done += bytes
            draw(&s, force: false)
        }
    }

    func itemDone() {
        state.withLock { s in
            s.itemsDone += 1
            draw(&s, force: false)
        }
    }

    func finish() {
        state.withLock { s in
            if s.drawn {
                draw(&s, force: true)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        }
    }

    private func draw(_ s: inout State, force: Bool) {
        let now = Date()
        // Quiet for short work; at most ten redraws a second.
        guard force || (now.timeIntervalSince(s.started) >= delay && now.timeIntervalSince(s.lastDraw) > 0.1) else { return }
        s.lastDraw = now
        s.drawn = true
        let line = Formatting.progressLine(label: s.label, done: s.done, total: s.total, elapsed: now.timeIntervalSince(s.started),
                                           width: Console.terminalWidth, items: s.items > 1 ? (s.itemsDone, s.items) : nil, noun: noun)
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
    }
}
