// A path as the operating system sees it: bytes, not necessarily UTF-8.
import KhoCore

public struct HostPath: Hashable, Sendable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// For messages: UTF-8 where possible, otherwise Windows-1252 so nothing is hidden.
    public var description: String {
        String(validating: bytes, as: UTF8.self) ?? String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    public var lastComponent: [UInt8] { FileName.lastComponent(of: bytes) }

    /// The folder holding this path: `.` for a bare name, `/` for a file at the root.
    public var parentFolder: HostPath {
        var end = bytes.count
        while end > 1, bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
        guard let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")) else { return HostPath(".") }
        return slash == 0 ? HostPath("/") : HostPath(bytes: Array(bytes[..<slash]))
    }

    public func appending(_ component: String) -> HostPath {
        var out = bytes
        if out.last != UInt8(ascii: "/") { out.append(UInt8(ascii: "/")) }
        out.append(contentsOf: component.utf8)
        return HostPath(bytes: out)
    }

    /// Calls `body` with a NUL-terminated C string of the path.
    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var terminated = bytes
        terminated.append(0)
        return try terminated.withUnsafeBufferPointer { buffer in
            try buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { try body($0) }
        }
    }
}
