// File arguments as the bytes the shell passed, so names that are not UTF-8
// (old Windows archives, some USB sticks) still open and keep their original bytes.
import KhoStore

enum RawArguments {
    /// The exact bytes of the argument that `parsed` came from.
    static func path(_ parsed: String) -> HostPath {
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            let length = strlen(pointer)
            let bytes = UnsafeRawBufferPointer(start: pointer, count: length)
            if String(decoding: bytes, as: UTF8.self) == parsed {
                return HostPath(bytes: Array(bytes))
            }
        }
        return HostPath(parsed)
    }
}

import Glibc
