// File arguments as the bytes the shell passed, so names that are not UTF-8
// (old Windows archives, some USB sticks) still open and keep their original bytes.
import Glibc
import KhoPlatform

enum RawArguments {
    /// Each argument as argument-parser saw it (lossy UTF-8) → its exact bytes.
    private static let byDecoded: [String: [UInt8]] = {
        var table: [String: [UInt8]] = [:]
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            let bytes = Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
            table[String(decoding: bytes, as: UTF8.self)] = bytes
        }
        return table
    }()

    /// The exact bytes of the argument that `parsed` came from.
    static func path(_ parsed: String) -> HostPath {
        HostPath(bytes: byDecoded[parsed] ?? Array(parsed.utf8))
    }
}
