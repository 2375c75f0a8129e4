// Where output goes: results on stdout (text or JSON), messages on stderr; and the one place
// errors become messages and exit codes.
import Foundation
import KhoCore
import KhoPlatform

enum Console {
    nonisolated(unsafe) static var jsonMode = false

    /// Text for the terminal: control characters (from what someone typed or a bundle held)
    /// are shown escaped, never sent raw; line breaks stay.
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((TextRules.visible(text, keepLines: true) + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((TextRules.visible(text, keepLines: true) + "\n").utf8))
    }

    static func note(_ text: String) { error("kho: \(text)") }
    static func warn(_ text: String) { error("kho: warning: \(text)") }

    static func json(_ value: some Encodable) {
        // Results that may list a million IDs: their own writer, printed a part at a time.
        if let result = value as? any PrettyJSONResult {
            var w = PrettyJSONWriter(sink: printJSONPart)
            result.write(to: &w)
            printJSONPart(w.finishedWithNewline())
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            // Not through `out`: its escaping is for text; JSON gets JSON's own escapes.
            let text = TextRules.jsonSafe(String(decoding: try encoder.encode(value), as: UTF8.self))
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        } catch {
            fail(KhoError(.internal, "could not encode the result as JSON"))
        }
    }

    /// A JSON array of the items `produce` hands on, printed as they come (as `json` would print
    /// them all at once). An error before anything was printed is printed as `json` prints one;
    /// after, the array stays cut short and the error goes to stderr alone (and the exit code).
    static func jsonArray<Item: PrettyJSONResult>(_ produce: ((Item) throws(KhoError) -> Void) throws(KhoError) -> Void) throws(KhoError) {
        nonisolated(unsafe) var printed = false
        var w = PrettyJSONWriter(sink: { part in printed = true; printJSONPart(part) })
        w.beginArray()
        do {
            try produce { (item) throws(KhoError) in item.write(to: &w) }
        } catch {
            if printed { jsonMode = false }
            throw error
        }
        w.endArray()
        printJSONPart(w.finishedWithNewline())
    }

    /// Part of a JSON document on stdout: control characters JSON does not escape (C1, the
    /// bidirectional ones) escaped all the same. A write that fails (a full disk) stops Kho.
    private static func printJSONPart(_ part: [UInt8]) {
        let bytes = TextRules.mayHoldControl(utf8: part) ? Array(TextRules.jsonSafe(String(decoding: part, as: UTF8.self)).utf8) : part
        let failed = bytes.withUnsafeBytes { Sys.writeAll(1, $0) }
        if failed != 0 {
            jsonMode = false
            // The work itself is done (an export recorded, say): only its report is lost.
            fail(KhoError(.ioError, "could not write the result to standard output: \(Sys.errorText(failed)); what was asked was done, only this report of it is cut short"))
        }
    }

    /// The exit code of an error's category: 2 usage, 3 damage, 1 everything else.
    static func exitCode(_ category: ErrorCategory) -> Int32 {
        switch category {
        case .usage: 2
        case .damage: 3
        case .input, .environment, .internal: 1
        }
    }

    /// Prints the error (one line per problem) and exits with its code. With --json the error
    /// is also printed as JSON on stdout, so scripts always get a document.
    static func fail(_ e: KhoError) -> Never {
        for line in e.message.split(separator: "\n", omittingEmptySubsequences: true) {
            error("kho: error: \(line)")
        }
        if jsonMode {
            struct ErrorDocument: Encodable {
                struct Body: Encodable { var code: String; var message: String; var cause: String? }
                var error: Body
            }
            json(ErrorDocument(error: .init(code: e.code.rawValue, message: e.message, cause: e.causeText)))
        }
        exit(exitCode(e.category))
    }

    static var stdoutIsTerminal: Bool { Sys.isTerminal(1) }
    static var stderrIsTerminal: Bool { Sys.isTerminal(2) }

    /// Columns for tables: the terminal's width, or no limit when stdout is a file or pipe.
    static var tableWidth: Int { stdoutIsTerminal ? terminalWidth : Int.max / 2 }

    static var terminalWidth: Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 100
    }
}
