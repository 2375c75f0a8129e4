// File arguments as the bytes the shell passed, so names that are not UTF-8
// (old Windows archives, some USB sticks) still open and keep their original bytes.
import Glibc
import KhoPlatform

enum RawArguments {
    /// Each argument as argument-parser saw it (lossy UTF-8, as bytes) → its exact bytes. Keyed
    /// by bytes, not String: Swift's String equality would take an NFD name and its NFC twin
    /// for the same argument.
    private static let byDecoded: [[UInt8]: [UInt8]] = {
        var table: [[UInt8]: [UInt8]] = [:]
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            let bytes = Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
            table[Array(String(decoding: bytes, as: UTF8.self).utf8)] = bytes
        }
        return table
    }()

    /// Where the argument `parsed` came from stops being UTF-8: the 0-based offset of the
    /// first byte that is not, or nil when it is all UTF-8.
    static func invalidUTF8Offset(_ parsed: String) -> Int? {
        guard let raw = byDecoded[Array(parsed.utf8)], String(validating: raw, as: UTF8.self) == nil else { return nil }
        var iterator = raw.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    /// The exact bytes of the argument that `parsed` came from.
    static func path(_ parsed: String) -> HostPath {
        HostPath(bytes: byDecoded[Array(parsed.utf8)] ?? Array(parsed.utf8))
    }
}
