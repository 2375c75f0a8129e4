// A scratch file for what is made in one pass and read back, in order, in the next, when it
// would not fit in memory for a large archive (an export's product records). Nameless
// (O_TMPFILE) where the file system allows it, else named and removed at once: it never
// outlives the process and nobody else can open it. Records are length-prefixed.
import Glibc
import KhoCore
import Synchronization

public final class SpillFile: @unchecked Sendable {   // used by one thread at a time
    private let file: FileDescriptor
    private var pending: [UInt8] = []
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private static let blockSize = 1 << 16
    /// Bytes appended so far.
    public private(set) var size: Int64 = 0

    /// A new scratch file in `folder` (the folder of the output it helps to write).
    public init(in folder: HostPath) throws(KhoError) {
        file = try Self.scratchFile(in: folder)
        buffer = .allocate(byteCount: Self.blockSize, alignment: 64)
    }

    /// A scratch file of one's own in `folder`: nameless where the file system allows it, else
    /// named and removed at once. Gone when closed.
    public static func scratchFile(in folder: HostPath) throws(KhoError) -> FileDescriptor {
        // O_TMPFILE is "020000000 | O_DIRECTORY", a macro Swift cannot import.
        let tmpfile: Int32 = 0o20000000 | O_DIRECTORY
        var raw = folder.withCString { Glibc.open($0, tmpfile | O_RDWR | O_CLOEXEC, 0o600) }
        if raw < 0 {
            let named = HostPath(bytes: folder.bytes + Array("/.kho-spill-\(getpid())-\(Self.counter.add(1, ordering: .relaxed).newValue)".utf8))
            raw = named.withCString { Glibc.open($0, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600) }
            if raw >= 0 { FS.remove(named) }
        }
        guard raw >= 0 else { throw Sys.error(errno, "making a scratch file", folder) }
        return FileDescriptor.adopt(raw, path: folder)
    }

    /// Where a scratch file goes when no folder of the work's own is at hand: $TMPDIR, else
    /// /var/tmp (on disk, where /tmp may be memory), else /tmp.
    public static var temporaryFolder: HostPath {
        if let env = getenv("TMPDIR").map({ String(cString: $0) }), env.hasPrefix("/") { return HostPath(env) }
        return access("/var/tmp", W_OK | X_OK) == 0 ? HostPath("/var/tmp") : HostPath("/tmp")
    }

    deinit { buffer.deallocate() }

    /// Appends one record.
    public func append(_ record: [UInt8]) throws(KhoError) {
        var length = UInt32(record.count).littleEndian
        withUnsafeBytes(of: &length) { pending.append(contentsOf: $0) }
        pending.append(contentsOf: record)
        size += Int64(4 + record.count)
        if pending.count >= Self.blockSize { try flush() }
    }

    /// Starts reading from the first record (after writing what is pending).
    public func rewind() throws(KhoError) {
        try flush()
        guard lseek(file.fd, 0, SEEK_SET) == 0 else { throw Sys.error(errno, "reading back a scratch file", file.path) }
        start = 0
        end = 0
    }

    /// The next record, or nil after the last.
    public func next() throws(KhoError) -> [UInt8]? {
        guard let head = try take(4) else { return nil }
        let length = Int(UInt32(littleEndian: head.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
        guard let record = try take(length) else {
            throw KhoError(.internal, "a scratch file ended inside a record (\(file.path))")
        }
        return record
    }

    private func take(_ count: Int) throws(KhoError) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            if start == end {
                end = try file.read(into: buffer, doing: "reading back a scratch file")
                start = 0
                if end == 0 {
                    if out.isEmpty && count > 0 { return nil }
                    throw KhoError(.internal, "a scratch file ended inside a record (\(file.path))")
                }
            }
            let n = min(count - out.count, end - start)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start..<start + n]))
            start += n
        }
        return out
    }

    private func flush() throws(KhoError) {
        if pending.isEmpty { return }
        var failure: KhoError?
        pending.withUnsafeBytes { bytes in
            do throws(KhoError) { try file.writeAll(bytes, doing: "writing a scratch file") } catch { failure = error }
        }
        if let failure { throw failure }
        pending.removeAll(keepingCapacity: true)
    }

    private static let counter = Atomic<Int>(0)
}
