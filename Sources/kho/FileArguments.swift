// The files a command stores: as arguments, or listed in a file (or stdin) for the
// thousands of files a scanner or a phone backup produces.
import ArgumentParser
import Foundation
import KhoCore
import KhoPlatform

struct FileArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("File(s) to store.", valueName: "FILE"))
    var files: [String] = []

    @Option(name: .customLong("files-from"), help: ArgumentHelp("Read more file paths from this list, one per line ('-': standard input).", valueName: "LIST"))
    var filesFrom: String?

    @Flag(name: .customLong("null"), help: "Paths in the --files-from list are separated by NUL bytes (find -print0), not lines.")
    var nullSeparated = false

    func validate() throws {
        if files.isEmpty && filesFrom == nil { throw ValidationError("give at least one FILE, or --files-from LIST") }
    }

    /// Every path, as exact bytes.
    func paths() throws(KhoError) -> [HostPath] {
        var out = files.map(RawArguments.path)
        guard let filesFrom else { return out }
        let data: Data
        if filesFrom == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let read = FileManager.default.contents(atPath: filesFrom) else {
                throw KhoError(.missingFile, "--files-from \(filesFrom): cannot read the list (no such file, or not readable)")
            }
            data = read
        }
        let separator: UInt8 = nullSeparated ? 0 : UInt8(ascii: "\n")
        for var entry in data.split(separator: separator, omittingEmptySubsequences: true).map(Array.init) {
            // Lists saved on Windows end their lines with CR LF.
            if !nullSeparated, entry.last == UInt8(ascii: "\r") { entry.removeLast() }
            if !entry.isEmpty { out.append(HostPath(bytes: entry)) }
        }
        if out.isEmpty { throw KhoError(.missingFile, "--files-from \(filesFrom) lists no files") }
        return out
    }
}
