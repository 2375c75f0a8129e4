// The store's log messages, printed like every other note of the command line.
import Foundation
import Logging

struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level = .notice
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let prefix = event.level >= .error ? "kho: error: " : event.level >= .warning ? "kho: warning: " : "kho: "
        FileHandle.standardError.write(Data((prefix + "\(event.message)\n").utf8))
    }

    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { _ in ConsoleLogHandler(logLevel: level) }
    }
}
