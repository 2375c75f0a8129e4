// The environment variables Kho reads, each parsed once with a clear error and a sane range
// (a lock timeout of 1e10 seconds once crashed the program).
import Foundation
import KhoCore
import Logging

struct Settings: Sendable {
    /// $KHO_STORAGE (empty: not set).
    var storage: String?
    /// $KHO_LOCK_TIMEOUT: seconds to wait for another writer, 0 to 3600.
    var lockTimeout: Double
    /// $KHO_PROGRESS_DELAY: seconds of quiet before a progress bar, 0 to 60.
    var progressDelay: Double
    /// $KHO_NO_PROGRESS set: no progress bar.
    var noProgress: Bool
    /// $KHO_LOG_LEVEL: trace, debug, info, notice, warning, error, critical.
    var logLevel: Logger.Level
    /// $KHO_AGENT: who acts, in the event log (else $USER).
    var agent: String?

    nonisolated(unsafe) static var current = Settings(storage: nil, lockTimeout: 10, progressDelay: 0.5, noProgress: false, logLevel: .notice, agent: nil)

    static func load(_ env: [String: String]) throws(KhoError) -> Settings {
        func seconds(_ name: String, default value: Double, max: Double) throws(KhoError) -> Double {
            guard let text = env[name] else { return value }
            let trimmed = text.trimmingWhitespace()
            // Decimal only: Swift would also read "0x10" and "1e3".
            guard trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let n = Double(trimmed), n.isFinite, n >= 0, n <= max else {
                throw KhoError(.invalidChoice, "\(name) '\(TextRules.visible(text))': expected a number of seconds from 0 to \(Int(max))",
                               subject: .field(name, text))
            }
            return n
        }
        var settings = Settings(storage: env["KHO_STORAGE"].flatMap { $0.isEmpty ? nil : $0 },
                                lockTimeout: try seconds("KHO_LOCK_TIMEOUT", default: 10, max: 3600),
                                progressDelay: try seconds("KHO_PROGRESS_DELAY", default: 0.5, max: 60),
                                noProgress: env["KHO_NO_PROGRESS"] != nil, logLevel: .notice, agent: nil)
        if let text = env["KHO_LOG_LEVEL"] {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw KhoError(.invalidChoice, "KHO_LOG_LEVEL '\(TextRules.visible(text))': expected one of trace, debug, info, notice, warning, error, critical",
                               subject: .field("KHO_LOG_LEVEL", text))
            }
            settings.logLevel = level
        }
        if let agent = env["KHO_AGENT"] {
            guard !agent.isEmpty, agent.count <= 200, !agent.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
                throw KhoError(.invalidChoice, "KHO_AGENT '\(TextRules.visible(String(agent.prefix(60))))\(agent.count > 60 ? "…" : "")': expected a name of at most 200 characters on one line, without control characters",
                               subject: .field("KHO_AGENT", agent))
            }
            settings.agent = agent
        }
        return settings
    }
}
